/* The project board (projects/board.html): drag a card to another column to move the project. The board
   element carries what the script needs: data-csrf, data-next and data-failed (the message when the server
   cannot be reached); each card its data-project, data-status and data-move-url. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  var alertBox = document.getElementById("board-alert");
  var dragged = null;

  function show(message, kind) {
    alertBox.className = "alert alert-" + kind;
    alertBox.textContent = message;
    alertBox.hidden = false;
  }
  function bump(column, delta, card) {
    var badge = column.querySelector(".board-count");
    badge.textContent = String(Number(badge.textContent) + delta);
    var sum = column.querySelector(".board-amount");
    if (sum && card && card.dataset.amount) {
      var amount = Number(sum.dataset.amount) + delta * Number(card.dataset.amount);
      sum.dataset.amount = String(amount);
      sum.textContent = amount.toLocaleString(document.documentElement.lang || undefined, { maximumFractionDigits: 0 });
    }
  }
  function clearOver() {
    board.querySelectorAll(".board-over").forEach(function (el) { el.classList.remove("board-over"); });
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card || card.getAttribute("draggable") !== "true") { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.project);
    card.classList.add("opacity-50");
  });
  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("opacity-50"); }
    dragged = null;
    clearOver();
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged || column.dataset.status === dragged.dataset.status) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("board-over");
  });
  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("board-over"); }
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    var card = dragged;
    if (!column || !card) { return; }
    event.preventDefault();
    clearOver();
    card.classList.remove("opacity-50");
    var body = new FormData();
    body.append("target", column.dataset.status);
    body.append("next", board.dataset.next);
    fetch(card.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {"X-CSRFToken": board.dataset.csrf, "Accept": "application/json"}
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (data.redirect) { window.location.assign(data.redirect); return; }
      if (!data.ok) { show(data.detail, "danger"); return; }
      if (data.unchanged) { return; }
      var from = card.closest(".board-column");
      var holder = document.createElement("div");
      holder.innerHTML = data.card.trim();
      card.remove();
      column.querySelector(".board-cards").prepend(holder.firstElementChild);
      bump(from, -1, card);
      bump(column, 1, card);
      show(data.detail, "success");
    }).catch(function () {
      show(board.dataset.failed, "danger");
    });
  });
})();
