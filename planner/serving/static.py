"""Static files' addresses, worked out once per name and process: every page names the
stylesheet, the scripts and the icons, and the manifest storage's `url()` (the hashed
name looked up, joined to STATIC_URL and quoted) cost a tenth of a kept page."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class Storage(CompressedManifestStaticFilesStorage):
    """Whitenoise's storage (hashed names, compressed copies) with its addresses memoised:
    the manifest is read when the storage is made and does not change while the process
    runs (a new `collectstatic` comes with a restart). A missing name still raises on
    every call, as `manifest_strict` wants."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        try:
            return self._addresses[name]
        except KeyError:
            address = self._addresses[name] = super().url(name)
            return address
