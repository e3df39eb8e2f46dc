"""The script added to the page as served by `reporter watch` (never to the file in out/).

It listens to the server's event stream (Server-Sent Events, /__reporter/events). Each event is
the server's status: when its `token` differs from the one the page was served with, a build
produced new HTML and the page reloads (keeping its scroll position); otherwise an error, if
any, is shown in an overlay on top of the page, and removed when a build succeeds again.
EventSource reconnects by itself when the server restarts.
"""

from __future__ import annotations

import html
import json

EVENTS = "/__reporter/events"
STATUS = "/__reporter/status"
OVERLAY_ID = "reporter-watch-error"

_SCRIPT = """<script id="reporter-watch">
(function () {
  var token = __TOKEN__, key = "reporter-watch-scroll", box = null;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { window.scrollTo(0, Number(saved)); };
    restore();
    window.addEventListener("load", restore);
  }
  function show(text) {
    if (!box) {
      box = document.createElement("div");
      box.id = __OVERLAY__;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;margin:0;" +
        "padding:12px 16px;background:#b00020;color:#fff;font:14px/1.45 monospace;" +
        "white-space:pre-wrap;text-align:left;box-shadow:0 2px 10px rgba(0,0,0,.4)";
      document.body.appendChild(box);
    }
    box.textContent = text;
  }
  function hide() {
    if (box) { box.remove(); box = null; }
  }
  var source = new EventSource(__EVENTS__);
  source.onmessage = function (event) {
    var status = JSON.parse(event.data);
    if (status.token !== token) {
      source.close();
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
      return;
    }
    var lines = [];
    if (status.error) lines.push("Build failed (showing the last good page):\\n" + status.error);
    if (status.pdf_error) lines.push("PDF failed:\\n" + status.pdf_error);
    if (lines.length) show(lines.join("\\n\\n")); else hide();
  };
})();
</script>
"""


def script(token: str) -> str:
    values = {"__TOKEN__": token, "__OVERLAY__": OVERLAY_ID, "__EVENTS__": EVENTS}
    text = _SCRIPT
    for name, value in values.items():
        # JSON is a JS literal; "</" escaped so nothing can close the script element
        text = text.replace(name, json.dumps(value).replace("</", "<\\/"))
    return text


def inject(page: bytes, token: str) -> bytes:
    """The page with the script before its last </body> (or at the end if it has none)."""
    tag = script(token).encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def placeholder(token: str, project: str) -> bytes:
    """Served until a first build succeeds: the script shows why it has not."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>reporter watch: {html.escape(project)}</title></head>\n"
        "<body><p>No successful build yet: waiting for a change to "
        f"{html.escape(project)}.</p>\n{script(token)}</body></html>\n"
    ).encode()
