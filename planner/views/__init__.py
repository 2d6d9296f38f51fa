"""The pages, one module each; shared helpers in common.py."""
