// Starts the vendored GraphiQL (hub/static/graphiql, from @graphql-yoga/render-graphiql) with the hub's
// options.  Everything it loads comes from this server: Monaco's workers by URL, not from a CDN.
(function () {
  var options = JSON.parse(document.getElementById('graphiql-options').textContent);
  var assets = options.assets;
  var workers = {
    editorWorkerService: assets + 'editor.worker.js',
    json: assets + 'json.worker.js',
    graphql: assets + 'graphql.worker.js',
  };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (moduleId, label) {
      return workers[label] || workers.editorWorkerService;
    },
  };
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options.graphiql);
})();
