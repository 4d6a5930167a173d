// publish serve: reload the page when the book changes, and show the book's findings over it.
// Added to the pages by the preview only; the web edition itself has no script.
(function () {
  "use strict";
  var shown = null;
  var events = new EventSource("/__publish/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (shown !== null && state.version !== shown) {
      events.close();
      window.location.reload();
      return;
    }
    shown = state.version;
    overlay(state);
  });

  function element(tag, text, style) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (style) { node.setAttribute("style", style); }
    return node;
  }

  function overlay(state) {
    var old = document.getElementById("publish-problems");
    if (old) { old.remove(); }
    if (!state.findings.length) { return; }
    // Errors open over the page and are announced; warnings wait, folded, in a corner.
    var box = element("details", "", "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;" +
      "z-index:1000;margin:0;padding:0.6rem 1rem;background:#fff8e6;color:#1c1a17;" +
      "border-top:4px solid #8a3b20;font:1rem/1.45 system-ui,sans-serif;box-sizing:border-box");
    box.id = "publish-problems";
    box.open = state.errors > 0;
    if (state.errors > 0) { box.setAttribute("role", "alert"); }
    var title = element("summary", state.title + ": " + state.summary, "cursor:pointer;font-weight:bold");
    box.appendChild(title);
    var list = element("ul", "", "margin:0.5rem 0 0;padding-left:1.2rem");
    state.findings.forEach(function (finding) {
      var item = element("li", "", "margin:0 0 0.3rem;overflow-wrap:anywhere");
      if (finding.where) {
        item.appendChild(element("code", finding.where, "font-weight:bold"));
        item.appendChild(document.createTextNode(": "));
      }
      item.appendChild(document.createTextNode(finding.text));
      list.appendChild(item);
    });
    box.appendChild(list);
    var hide = element("button", state.dismiss, "margin-top:0.5rem;font:inherit;padding:0.2rem 0.8rem");
    hide.type = "button";
    hide.addEventListener("click", function () { box.remove(); });
    box.appendChild(hide);
    document.body.appendChild(box);
  }
}());
