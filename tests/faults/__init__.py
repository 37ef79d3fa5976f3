"""The fault suite (``make faults``, issue 20): the production stack on this machine, broken on
purpose, and what reached the mail server and the database counted afterwards.

It starts its own Redis (own port), a local SMTP server that can refuse on command, gunicorn
(2 workers, production settings) and Celery worker and beat against a PostgreSQL database of
its own, then runs each fault in turn and prints a table. It exits non-zero on any lost mail or
answer, on any duplicate that is not a documented uncertain case, and on any 5xx.
"""
