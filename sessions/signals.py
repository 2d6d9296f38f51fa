"""What the catalog tells the rest of the site, sent inside the transaction that did it
(so what listens writes in that transaction too: sessions never imports planner)."""

from django.dispatch import Signal

# talk_ids: talks that had no recording and now have one.
recordings_arrived = Signal()
