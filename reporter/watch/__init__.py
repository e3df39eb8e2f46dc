"""`reporter watch`: build, serve the HTML on localhost, rebuild and reload the page on every
change to content/, data/ or templates/. Stdlib only.

changes.py  which files changed (polling) and when to build (debounce)
state.py    what the page is told: which HTML is current, the last error, the PDF's status
reload.py   the script injected into the served page (reload, error overlay)
server.py   the HTTP server: the page, out/ (nothing outside it), the event stream
pdf.py      the warm renderer: a worker process kept warm, one PDF build at a time; a newer
            change supersedes the build in flight
worker.py   that worker: imports the pipeline and WeasyPrint once, builds on request
runner.py   the session: first build, the polling loop, terminal output, Ctrl-C
"""

from reporter.watch.runner import watch

__all__ = ["watch"]
