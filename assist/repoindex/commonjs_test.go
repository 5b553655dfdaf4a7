package repoindex

import (
	"slices"
	"testing"
)

// A CommonJS module's definitions are what it assigns to module.exports
// (a named function or class, an object literal's keys, members of an
// alias of module.exports); require reads as an import, its variable no
// definition of the importing file.
func TestCommonJS(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // Name or Container.Name, in order
		kinds     map[string]Kind
		imports   []string
	}{
		{"object literal", `'use strict';
const path = require('path');
const { join, resolve: res } = require('./paths');
var compile = require('./parse').parse;
function helper(a) {}
// module.exports = function hidden() {}
module.exports = {
  helper,
  compile: function (src) {
    return { inner: 1 };
  },
  async render(view, opts) {},
  'quoted': x => x,
  LIMIT: 3,
  nested: {
    deep: 1,
  },
  Store: class {},
  imported
};
`, []string{"helper", "compile", "render", "quoted", "LIMIT", "nested", "Store", "imported"},
			map[string]Kind{"compile": KindFunc, "render": KindFunc, "quoted": KindFunc, "LIMIT": KindVar, "Store": KindClass, "imported": KindVar},
			[]string{"path", "path:path", "./paths", "./paths:join", "./paths:resolve", "./parse", "./parse:parse"}},
		{"alias of module.exports", `var app = exports = module.exports = {};
app.init = function init() {
  this.cache = {};
};
app.enabled = true;
other.notMine = 1;
  app.indented = 1;
`, []string{"app", "init", "enabled"},
			map[string]Kind{"init": KindFunc, "enabled": KindVar}, nil},
		{"alias assigned last", `var res = Object.create(http.ServerResponse.prototype);
res.status = function status(code) {};
module.exports = res;
`, []string{"res", "status"}, map[string]Kind{"status": KindFunc}, nil},
		{"named function", `module.exports = createApplication;
exports = module.exports = function createApplication() {};
module.exports.version = '1';
exports.Router = Router;
`, []string{"version", "Router", "createApplication"}, map[string]Kind{"createApplication": KindFunc}, nil},
		{"class", "module.exports = class Router {\n  route(p) {}\n};\n", []string{"Router"}, map[string]Kind{"Router": KindClass}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defs, imports := tagDefs(LangJS, tt.src)
			if got := names(defs); !slices.Equal(got, tt.want) {
				t.Errorf("definitions = %q\nwant %q", got, tt.want)
			}
			for _, d := range defs {
				if k, ok := tt.kinds[d.Name]; ok && d.Kind != k {
					t.Errorf("%s: kind %d, want %d", d.Name, d.Kind, k)
				}
				if d.Text == "" {
					t.Errorf("%s: no header", d.Name)
				}
			}
			if tt.imports != nil && !slices.Equal(imports, tt.imports) {
				t.Errorf("imports = %q\nwant %q", imports, tt.imports)
			}
		})
	}
}
