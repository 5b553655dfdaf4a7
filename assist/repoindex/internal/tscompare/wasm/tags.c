// The tree-sitter runtime and grammars compiled to one WASI module
// (build-wasm): parse and run the tags query, hand the captures back.

#include <tree_sitter/api.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

const TSLanguage *tree_sitter_python(void);
const TSLanguage *tree_sitter_javascript(void);
const TSLanguage *tree_sitter_typescript(void);

static TSParser *parsers[3];
static TSQuery *queries[3];
static TSQueryCursor *cursor;

__attribute__((export_name("alloc"))) void *walloc(uint32_t n) { return malloc(n); }
__attribute__((export_name("dealloc"))) void wfree(void *p) { free(p); }

// init loads grammar g (0 python, 1 javascript, 2 typescript) and its
// tags query; 0 or the query error's offset + 1.
__attribute__((export_name("init"))) int32_t init(int32_t g, const char *q, uint32_t qlen) {
	const TSLanguage *l = g == 0 ? tree_sitter_python() : g == 1 ? tree_sitter_javascript() : tree_sitter_typescript();
	parsers[g] = ts_parser_new();
	ts_parser_set_language(parsers[g], l);
	uint32_t off;
	TSQueryError err;
	queries[g] = ts_query_new(l, q, qlen, &off, &err);
	if (!cursor) cursor = ts_query_cursor_new();
	return queries[g] ? 0 : (int32_t)off + 1;
}

// tags parses src and writes, for each match, its captures as
// (capture index, start byte, end byte, start row) into out; it returns
// the number of uint32s written, or -1 when out is too small.
__attribute__((export_name("tags"))) int32_t tags(int32_t g, const char *src, uint32_t len, uint32_t *out, uint32_t cap) {
	TSTree *tree = ts_parser_parse_string(parsers[g], NULL, src, len);
	ts_query_cursor_exec(cursor, queries[g], ts_tree_root_node(tree));
	TSQueryMatch m;
	uint32_t n = 0;
	while (ts_query_cursor_next_match(cursor, &m)) {
		if (n + 1 + 4 * m.capture_count > cap) { ts_tree_delete(tree); return -1; }
		out[n++] = m.capture_count;
		for (uint16_t i = 0; i < m.capture_count; i++) {
			TSNode node = m.captures[i].node;
			out[n++] = m.captures[i].index;
			out[n++] = ts_node_start_byte(node);
			out[n++] = ts_node_end_byte(node);
			out[n++] = ts_node_start_point(node).row;
		}
	}
	ts_tree_delete(tree);
	return (int32_t)n;
}
