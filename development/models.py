"""Models of this app arrive with its issue; the foundation only reserves the app."""
