"""Application code shared by the routes in app.py (Chalice packages this folder with the app)."""
