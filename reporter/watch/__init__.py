"""`reporter watch`: build, serve the HTML on localhost, rebuild and reload the page on every
change to content/, data/ or templates/. Stdlib only.

changes.py  which files changed (polling) and when to build (debounce)
state.py    what the page is told: which HTML is current, the last error, the PDF's status
reload.py   the script injected into the served page (reload, error overlay)
server.py   the HTTP server: the page, out/ (nothing outside it), the event stream
pdf.py      the PDF, rebuilt in a child process after the HTML; a newer change cancels it
runner.py   the session: first build, the polling loop, terminal output, Ctrl-C
"""

from reporter.watch.runner import watch

__all__ = ["watch"]
