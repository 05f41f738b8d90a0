"""Pieces of the fake Google Drive + OAuth server (see ../fake_drive.py)."""
