"""The WSGI entry point of a production web server: `gunicorn 'coachsvc.wsgi:app'`."""

from coachsvc import create_app
from coachsvc.runtime import settle_memory

app = create_app()
settle_memory()
