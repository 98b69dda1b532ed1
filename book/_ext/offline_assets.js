// Inlined by offline_assets.py before require.js and the widget manager, on pages with widgets.
(function () {
  "use strict";

  // The widget manager finds its icon fonts beside the URL that require.js gives its module
  // "@jupyter-widgets/html-manager/dist/libembed-amd": by default a folder beside the page
  // (404). Map that module folder to where the book serves the manager.
  var root = document.documentElement.dataset.content_root || "";
  var paths = {
    "@jupyter-widgets/html-manager/dist": new URL(root + "_static/html-manager", document.baseURI).href,
  };
  if (typeof window.require === "function" && window.require.config) {
    window.require.config({ paths: paths });
  } else {
    window.require = { paths: paths }; // require.js takes a `require` object as its configuration
  }

  // ipywidgets typesets widget labels through MathJax 2's API, MathJax.Hub.Queue; the book
  // loads MathJax 3, which has no Hub, so every label threw a TypeError. Give whatever object
  // is window.MathJax (the configuration first, MathJax 3 itself once it starts) a Hub whose
  // Queue hands the elements to MathJax 3's typesetter.
  var hub = {
    Queue: function () {
      var mathjax = window.MathJax;
      var elements = [];
      for (var i = 0; i < arguments.length; i++) {
        var call = arguments[i];
        if (Array.isArray(call) && call[2] instanceof Element) elements.push(call[2]);
      }
      // Before MathJax 3 has started there is nothing to call: its first pass covers the page.
      if (mathjax && mathjax.startup && mathjax.startup.promise && mathjax.typesetPromise) {
        mathjax.startup.promise.then(function () {
          return mathjax.typesetPromise(elements.length ? elements : undefined);
        });
      }
    },
  };

  function withHub(value) {
    if (value && typeof value === "object" && !Object.prototype.hasOwnProperty.call(value, "Hub")) {
      // Not enumerable: MathJax 3 reads its configuration by enumerating keys.
      Object.defineProperty(value, "Hub", { value: hub, enumerable: false, configurable: true });
    }
    return value;
  }

  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });
})();
