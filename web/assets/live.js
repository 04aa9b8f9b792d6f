// Live capture: subscribes to new contributions of the session over graphql-transport-ws and
// appends them in order. The page works without this script (a link reloads it).
(function () {
  "use strict";
  var list = document.getElementById("beitraege");
  if (!list || !window.WebSocket) return;
  var status = document.getElementById("live-status");
  var session = list.getAttribute("data-session");
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql/ws";
  var query = "subscription Live($id: ID!) { contributionAdded(sessionId: $id) { id position kindLabel html } }";
  var retries = 0;

  function say(text) { if (status) status.textContent = text; }

  function add(c) {
    if (document.getElementById("beitrag-" + c.position)) return;
    var empty = document.getElementById("noch-keine");
    if (empty) empty.remove();
    var li = document.createElement("li");
    li.id = "beitrag-" + c.position;
    li.setAttribute("data-position", String(c.position));
    var kind = document.createElement("strong");
    kind.textContent = c.kindLabel + ": ";
    li.appendChild(kind);
    // The server sends sanitised HTML (scripts and event attributes removed).
    var body = document.createElement("span");
    body.innerHTML = c.html;
    li.appendChild(body);
    var after = null;
    for (var i = 0; i < list.children.length; i++) {
      if (Number(list.children[i].getAttribute("data-position")) > c.position) { after = list.children[i]; break; }
    }
    list.insertBefore(li, after);
  }

  function connect() {
    var socket = new WebSocket(url, "graphql-transport-ws");
    socket.onopen = function () { socket.send(JSON.stringify({ type: "connection_init", payload: {} })); };
    socket.onmessage = function (event) {
      var msg = JSON.parse(event.data);
      if (msg.type === "connection_ack") {
        retries = 0;
        say("Live: neue Beiträge erscheinen hier von selbst.");
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: query, variables: { id: session } } }));
      } else if (msg.type === "next" && msg.payload && msg.payload.data) {
        add(msg.payload.data.contributionAdded);
      } else if (msg.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (msg.type === "error" || msg.type === "complete") {
        say("Die Live-Verbindung wurde beendet. Bitte laden Sie die Seite neu.");
      }
    };
    socket.onclose = function () {
      if (retries++ < 5) {
        say("Verbindung unterbrochen, neuer Versuch …");
        setTimeout(connect, 1000 * retries);
      } else {
        say("Keine Live-Verbindung. Bitte laden Sie die Seite neu.");
      }
    };
  }
  connect();
})();
