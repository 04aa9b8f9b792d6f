// Starts GraphiQL against this server: queries and mutations over /graphql, subscriptions
// over /graphql/ws.
(function () {
  "use strict";
  var ws = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql/ws";
  var fetcher = GraphiQL.createFetcher({ url: "/graphql", subscriptionUrl: ws });
  var root = ReactDOM.createRoot(document.getElementById("explorer"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: "# Zum Beispiel: die Workshops und ihre Programmpunkte\nquery Workshops {\n  workshops(first: 5) {\n    nodes { title heldOn sessions { title startsAt } }\n  }\n}\n"
  }));
})();
