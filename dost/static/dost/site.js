// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // GOV.UK error summary: move focus to it so screen readers announce the problems.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // Display board: replace the board with a fresh server-rendered fragment every few seconds,
  // and announce a newly called ticket. Without JavaScript a <noscript> meta refresh reloads.
  var board = document.getElementById("board");
  if (!board || !window.fetch) { return; }
  var url = board.getAttribute("data-board-url");
  var seconds = parseInt(board.getAttribute("data-board-refresh"), 10) || 5;
  var announcer = document.getElementById("board-announcer");
  var latest = function () {
    var row = board.querySelector(".board__latest");
    return row ? row.getAttribute("data-ticket") : null;
  };
  var shown = latest();
  var refresh = function () {
    fetch(url, { headers: { "X-Requested-With": "fetch" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        board.innerHTML = html;
        var now = latest();
        var text = board.querySelector("[data-announce]");
        if (now && now !== shown && announcer && text) { announcer.textContent = text.textContent; }
        shown = now;
      })
      .catch(function () { /* keep the last board; try again at the next tick */ })
      .then(function () { window.setTimeout(refresh, seconds * 1000); });
  };
  window.setTimeout(refresh, seconds * 1000);
})();
