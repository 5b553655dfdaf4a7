-- Unit tests of the plugin's Lua logic, run as the init file of a headless
-- Neovim by editors/neovim_test.go. compat.at_least is stubbed so that the
-- code paths of Neovim 0.8 to 0.12 (vim.lsp.start, vim.lsp.config,
-- vim.lsp.inline_completion, vim.health) run here too, against stubs
-- shaped like those versions' documented APIs.
local plugin = os.getenv("SWITCHYARD_TEST_PLUGIN")
vim.opt.rtp:prepend(plugin)
local H = dofile(plugin .. "/test/harness.lua")
local eq, truthy = H.eq, H.truthy
local api = vim.api

local tests = {}
local function test(name, fn)
  tests[#tests + 1] = { name = name, fn = fn }
end

local saved = {}
local function stub(tbl, key, val)
  saved[#saved + 1] = { tbl, key, rawget(tbl, key) }
  rawset(tbl, key, val)
end

local function restore()
  for i = #saved, 1, -1 do
    local s = saved[i]
    rawset(s[1], s[2], s[3])
  end
  saved = {}
end

-- Fresh plugin modules, as on Neovim 0.{minor} (nil: the real version).
local function fresh(minor)
  for k in pairs(package.loaded) do
    if k == "switchyard" or k:match("^switchyard%.") then
      package.loaded[k] = nil
    end
  end
  pcall(api.nvim_del_augroup_by_name, "switchyard_start")
  local compat = require("switchyard.compat")
  if minor then
    compat.at_least = function(m)
      return m <= minor
    end
  end
  return compat
end

-- A client shaped like vim.lsp's, recording what is sent; it answers
-- both the dot form (0.7 to 0.10) and the method form (0.11+).
local function fake_client(id, commands)
  local c = {
    id = id,
    name = "switchyard",
    sent = {},
    forms = {},
    settings = {},
    config = { settings = {}, root_dir = "/tmp" },
    offset_encoding = "utf-16",
    attached_buffers = {},
    server_capabilities = { executeCommandProvider = { commands = commands or {} } },
  }
  local function record(form, method, params)
    c.sent[#c.sent + 1] = { method = method, params = params }
    c.forms[#c.forms + 1] = form
  end
  c.request = function(a, b, d)
    if a == c then
      record("method", b, d)
    else
      record("dot", a, b)
    end
    return true, #c.sent
  end
  c.notify = function(a, b, d)
    if a == c then
      record("method", b, d)
    else
      record("dot", a, b)
    end
    return true
  end
  c.cancel_request = function() end
  return c
end

-- Captures vim.notify messages for the current test.
local function capture()
  local seen = {}
  stub(vim, "notify", function(msg, level)
    seen[#seen + 1] = { msg = msg, level = level }
  end)
  return seen
end

local function scratch_file(name, ft)
  local buf = api.nvim_create_buf(true, false)
  api.nvim_buf_set_name(buf, vim.fn.getcwd() .. "/" .. name)
  api.nvim_set_current_buf(buf)
  if ft then
    vim.bo[buf].filetype = ft
  end
  return buf
end

local settings = {
  providers = { a = { type = "openai", base_url = "http://127.0.0.1:1/v1" }, b = { type = "ollama" } },
  models = {
    ma = { provider = "a", id = "qwen2.5-coder:7b", classes = { "completion" } },
    mb = { provider = "b", id = "qwen2.5-coder:1.5b", classes = { "completion", "coding" } },
    mc = { provider = "b", id = "llama3", classes = { "coding" } },
  },
  routes = { completion = { "ma", "mb" }, coding = { "mc" } },
}

---------------------------------------------------------------- config

test("config: schema keys go to the server, the rest tune the plugin", function()
  local config = (fresh() and require("switchyard.config"))
  local opts, s, problems = config.resolve({
    providers = settings.providers,
    completion = { debounce = "80ms" },
    ghost_text = { debounce_ms = 10 },
    keymaps = { accept = "<C-y>" },
    trust = { folders = { "/x" } },
    colour = "blue",
  })
  eq(settings.providers, s.providers, "providers")
  eq("80ms", s.completion.debounce, "completion.debounce")
  eq(nil, s.ghost_text, "ghost_text in server settings")
  eq(10, opts.ghost_text.debounce_ms, "ghost_text.debounce_ms")
  eq("SwitchyardGhostText", opts.ghost_text.hl_group, "ghost_text.hl_group keeps its default")
  eq("<C-y>", opts.keymaps.accept, "keymaps.accept")
  eq(true, opts.keymaps.accept_tab, "keymaps.accept_tab keeps its default")
  eq(2, #problems, "problems (trust, colour)")
  truthy(problems[1]:find("trust") or problems[2]:find("trust"), "a problem names trust")
end)

test("config: empty tables are dropped so JSON never carries [] for an object", function()
  local config = (fresh() and require("switchyard.config"))
  local s = config.clean({ providers = {}, routes = { completion = { "a" } }, policy = { jurisdictions = {} } })
  eq('{"routes":{"completion":["a"]}}', vim.json.encode(s), "encoded")
end)

test("config: a chosen model goes first, the old route follows as fallback", function()
  local config = (fresh() and require("switchyard.config"))
  eq({ "mb", "ma" }, config.prefer_model(settings, "completion", "mb").routes.completion, "completion")
  eq({ "ma" }, config.prefer_model(settings, "refactor", "ma").routes.refactor, "unset route")
  eq({ "ma", "mb" }, settings.routes.completion, "the input is not changed")
end)

test("config: a chosen provider's models go first in every route", function()
  local config = (fresh() and require("switchyard.config"))
  local s, untouched = config.prefer_provider(settings, "b")
  eq({ "mb", "ma" }, s.routes.completion, "completion")
  eq({ "mc" }, s.routes.coding, "coding")
  eq({}, untouched, "untouched")
  local s2, untouched2 = config.prefer_provider({ models = settings.models, routes = { coding = { "mc" } } }, "a")
  eq({ "ma" }, s2.routes.completion, "a completion route made of a's completion models")
  eq({ "coding" }, untouched2, "a serves nothing on the coding route")
end)

test("config: the command line carries --config", function()
  local config = (fresh() and require("switchyard.config"))
  local opts = config.resolve({ cmd = "/opt/sy", config_file = "/etc/sy.toml" })
  eq({ "/opt/sy", "serve", "--stdio", "--config", "/etc/sy.toml" }, config.command(opts), "cmd")
end)

---------------------------------------------------------------- positions

test("position: bytes and characters in utf-8, utf-16 and utf-32", function()
  local position = (fresh() and require("switchyard.position"))
  local line = "aé😀b" -- 1 + 2 + 4 + 1 bytes
  local cases = {
    -- byte col, utf-8, utf-16, utf-32
    { 0, 0, 0, 0 },
    { 1, 1, 1, 1 },
    { 3, 3, 2, 2 },
    { 7, 7, 4, 3 },
    { 8, 8, 5, 4 },
  }
  for _, c in ipairs(cases) do
    eq(c[2], position.character(line, c[1], "utf-8"), "utf-8 of byte " .. c[1])
    eq(c[3], position.character(line, c[1], "utf-16"), "utf-16 of byte " .. c[1])
    eq(c[4], position.character(line, c[1], "utf-32"), "utf-32 of byte " .. c[1])
    eq(c[1], position.byte(line, c[3], "utf-16"), "byte of utf-16 " .. c[3])
    eq(c[1], position.byte(line, c[4], "utf-32"), "byte of utf-32 " .. c[4])
  end
  eq(#line, position.byte(line, 99, "utf-16"), "past the end")
end)

---------------------------------------------------------------- ghost text

test("ghost: placing an item at the cursor", function()
  local ghost = (fresh() and require("switchyard.ghost"))
  local r = function(s, e)
    return { start = { line = 2, character = s }, ["end"] = { line = 2, character = e } }
  end
  local line = "  foo.ba"
  local p = ghost.place({ insertText = "r()" }, line, 2, #line, "utf-16")
  eq({ 8, 8, "r()", "r()" }, { p.start_col, p.end_col, p.text, p.ghost }, "no range")
  p = ghost.place({ insertText = "bar()", range = r(6, 8) }, line, 2, #line, "utf-16")
  eq({ 6, 8, "r()" }, { p.start_col, p.end_col, p.ghost }, "range over the typed word")
  eq(nil, ghost.place({ insertText = "bo()", range = r(6, 8) }, line, 2, #line, "utf-16"), "disagrees with typed text")
  eq(nil, ghost.place({ insertText = "x", range = { start = { line = 1, character = 0 }, ["end"] = { line = 2, character = 8 } } }, line, 2, #line, "utf-16"), "range from another line")
  eq(nil, ghost.place({ insertText = "ba", range = r(6, 8) }, line, 2, #line, "utf-16"), "nothing left to show")
  p = ghost.place({ insertText = { kind = "snippet", value = "r(x)" } }, line, 2, #line, "utf-16")
  eq("r(x)", p.ghost, "snippet value")
end)

test("ghost: extmark options, inline on 0.10+, overlay before", function()
  local ghost = (fresh() and require("switchyard.ghost"))
  local hl = "SwitchyardGhostText"
  local line = "f(x)"
  local p = { start_col = 2, end_col = 2, col = 2, ghost = "y, ", text = "y, " }
  local m = ghost.mark(p, line, true)
  eq("inline", m.virt_text_pos, "0.10+ position")
  eq({ { "y, ", hl } }, m.virt_text, "0.10+ text")
  m = ghost.mark(p, line, false)
  eq("overlay", m.virt_text_pos, "0.7 position")
  eq({ { "y, ", hl }, { "x)", "Normal" } }, m.virt_text, "0.7 text: ghost then the rest of the line")
  p = { start_col = 2, end_col = 4, col = 2, ghost = "a)", text = "a)" }
  eq({ { "a)", hl } }, ghost.mark(p, line, true).virt_text, "replacing the rest of the line")
  p = { start_col = 2, end_col = 2, col = 2, ghost = "a\n  b\nc", text = "a\n  b\nc" }
  m = ghost.mark(p, line, true)
  eq({ { "a ", hl } }, m.virt_text, "first line hides the moved tail")
  eq({ { { "  b", hl } }, { { "c", hl }, { "x)", "Normal" } } }, m.virt_lines, "later lines, tail last")
end)

---------------------------------------------------------------- start paths

test("start on 0.11+: vim.lsp.config and vim.lsp.enable", function()
  fresh(11)
  local registered, enabled = {}, {}
  local cfgtable = setmetatable({}, {
    __call = function(_, name, cfg)
      registered[name] = vim.tbl_deep_extend("force", registered[name] or {}, cfg)
    end,
    __index = function(_, name)
      return vim.deepcopy(registered[name])
    end,
    __newindex = function(_, name, cfg)
      registered[name] = cfg
    end,
  })
  stub(vim.lsp, "config", cfgtable)
  stub(vim.lsp, "enable", function(name)
    enabled[#enabled + 1] = name
  end)
  stub(require("switchyard.compat"), "clients", function()
    return {}
  end)
  local sy = require("switchyard")
  sy.setup(vim.tbl_extend("force", settings, { cmd = { "/bin/sy", "serve", "--stdio" } }))
  eq({ "switchyard" }, enabled, "enabled")
  local cfg = registered.switchyard
  eq({ "/bin/sy", "serve", "--stdio" }, cfg.cmd, "cmd")
  eq(settings.routes, cfg.settings.switchyard.routes, "settings.switchyard")
  eq(settings.models, cfg.init_options.models, "init_options")
  truthy(cfg.handlers["switchyard/status"], "status handler")
  truthy(cfg.commands["switchyard.runAction"], "runAction command")
  local roots = {}
  local buf = scratch_file("main.go", "go")
  cfg.root_dir(buf, function(root)
    roots[#roots + 1] = root
  end)
  eq(1, #roots, "root_dir calls on_dir for a file buffer")
  local help = api.nvim_create_buf(false, true)
  vim.bo[help].buftype = "nofile"
  cfg.root_dir(help, function(root)
    roots[#roots + 1] = root
  end)
  eq(1, #roots, "root_dir skips a scratch buffer")
  sy.use_model("mc")
  eq({ "mc", "ma", "mb" }, registered.switchyard.settings.switchyard.routes.completion, "config replaced, lists not merged")
end)

test("start on 0.8 to 0.10: vim.lsp.start per buffer", function()
  fresh(10)
  local calls = {}
  stub(vim.lsp, "start", function(cfg, opts)
    calls[#calls + 1] = { cfg = cfg, opts = opts }
    return 7
  end)
  require("switchyard").setup(settings)
  local buf = scratch_file("start8.go", "go")
  eq(1, #calls, "vim.lsp.start calls")
  eq("switchyard", calls[1].cfg.name, "name")
  eq({ bufnr = buf }, calls[1].opts, "opts")
  eq(vim.fn.getcwd(), calls[1].cfg.root_dir, "root_dir")
  eq(settings.models, calls[1].cfg.settings.switchyard.models, "settings")
  scratch_file("notes.txt", "help")
  eq(1, #calls, "help buffers are left alone")
end)

test("start on 0.7: vim.lsp.start_client once per root, then buf_attach_client", function()
  fresh(7)
  local started, attached = 0, {}
  stub(vim.lsp, "start_client", function(cfg)
    started = started + 1
    eq("switchyard", cfg.name, "name")
    return 42
  end)
  stub(vim.lsp, "buf_attach_client", function(buf, id)
    attached[#attached + 1] = { buf, id }
  end)
  stub(vim.lsp, "get_client_by_id", function(id)
    return id == 42 and {} or nil
  end)
  require("switchyard").setup(settings)
  local b1 = scratch_file("one.go", "go")
  local b2 = scratch_file("two.go", "go")
  eq(1, started, "start_client calls")
  eq({ { b1, 42 }, { b2, 42 } }, attached, "attached")
end)

test("0.12+: vim.lsp.inline_completion shows ghost text and accepts it", function()
  fresh(12)
  local enabled, got = {}, 0
  stub(vim.lsp, "inline_completion", {
    enable = function(on, filter)
      enabled[#enabled + 1] = { on, filter }
    end,
    get = function()
      got = got + 1
      return true
    end,
  })
  local sy = require("switchyard")
  sy.setup({ autostart = false })
  eq("native", sy.ghost_mode(), "ghost mode")
  local buf = scratch_file("native.go", "go")
  local cfg = require("switchyard.client").client_config("/tmp")
  cfg.on_attach(fake_client(3), buf)
  eq({ { true, { bufnr = buf } } }, enabled, "enable(true, {bufnr})")
  eq(true, sy.accept(), "accept returns get()'s answer")
  eq(1, got, "get() calls")
  eq(false, require("switchyard.ghost").attached(buf), "the plugin's renderer stays off")
  local lhs = {}
  for _, m in ipairs(api.nvim_buf_get_keymap(buf, "i")) do
    lhs[m.lhs] = true
  end
  truthy(lhs["<M-CR>"] and lhs["<Tab>"], "accept keys mapped")
end)

test("before 0.12: the plugin's renderer, with configurable keys", function()
  fresh(11)
  local sy = require("switchyard")
  sy.setup({ autostart = false, keymaps = { accept = "<C-y>", accept_tab = false } })
  eq("plugin", sy.ghost_mode(), "ghost mode")
  local buf = scratch_file("plugin.go", "go")
  require("switchyard.client").client_config("/tmp").on_attach(fake_client(4), buf)
  eq(true, require("switchyard.ghost").attached(buf), "renderer attached")
  local lhs = {}
  for _, m in ipairs(api.nvim_buf_get_keymap(buf, "i")) do
    lhs[m.lhs] = true
  end
  truthy(lhs["<C-Y>"] or lhs["<C-y>"], "accept key")
  eq(nil, lhs["<Tab>"], "no Tab mapping with accept_tab = false")
  require("switchyard.ghost").detach(buf)
end)

---------------------------------------------------------------- talking to clients

test("compat: client methods on 0.11+, dot functions before", function()
  local compat = fresh(11)
  local c = fake_client(1)
  compat.notify(c, "x/y", {})
  compat.request(c, "a/b", {})
  eq({ "method", "method" }, c.forms, "0.11 forms")
  compat = fresh(10)
  c = fake_client(1)
  compat.notify(c, "x/y", {})
  compat.request(c, "a/b", {})
  eq({ "dot", "dot" }, c.forms, "0.10 forms")
  eq("x/y", c.sent[1].method, "method name")
end)

test("compat: listing clients on each version", function()
  local seen
  stub(vim.lsp, "get_clients", function(filter)
    seen = { "get_clients", filter }
    return {}
  end)
  stub(vim.lsp, "get_active_clients", function(filter)
    seen = { "get_active_clients", filter }
    return { { name = "other" }, { name = "switchyard" } }
  end)
  fresh(10).clients("switchyard")
  eq({ "get_clients", { name = "switchyard" } }, seen, "0.10")
  fresh(8).clients("switchyard")
  eq({ "get_active_clients", { name = "switchyard" } }, seen, "0.8")
  eq({ { name = "switchyard" } }, fresh(7).clients("switchyard"), "0.7 filters by name itself")
end)

test("settings: a switch updates what the client answers and notifies it", function()
  local compat = fresh(10)
  local c = fake_client(5)
  stub(compat, "clients", function()
    return { c }
  end)
  local sy = require("switchyard")
  sy.setup(vim.tbl_extend("force", settings, { autostart = false }))
  eq(1, sy.use_model("mb"), "clients told")
  local want = { "mb", "ma" }
  eq(want, c.settings.switchyard.routes.completion, "client.settings (0.10+)")
  eq(want, c.config.settings.switchyard.routes.completion, "client.config.settings (0.7 to 0.9)")
  eq("workspace/didChangeConfiguration", c.sent[1].method, "notification")
  eq(want, c.sent[1].params.settings.switchyard.routes.completion, "notification settings")
end)

---------------------------------------------------------------- commands

test(":Switchyard model picks with vim.ui.select and says what changed", function()
  local compat = fresh(10)
  local c = fake_client(6)
  stub(compat, "clients", function()
    return { c }
  end)
  local notes = capture()
  stub(vim.ui, "select", function(items, opts, on_choice)
    truthy(opts.format_item(items[1]):find("qwen2.5%-coder:7b via a"), "item shows id and provider")
    on_choice(items[3])
  end)
  require("switchyard").setup(vim.tbl_extend("force", settings, { autostart = false }))
  vim.cmd("Switchyard model")
  eq({ "mc", "ma", "mb" }, c.sent[1].params.settings.switchyard.routes.completion, "route sent")
  truthy(notes[#notes].msg:find("completion now uses model mc first"), "message: " .. vim.inspect(notes))
  vim.cmd("Switchyard route coding mb, mc")
  eq({ "mb", "mc" }, c.sent[2].params.settings.switchyard.routes.coding, ":Switchyard route sets a whole route")
  vim.cmd("Switchyard provider a")
  eq({ "ma", "mc", "mb" }, c.sent[3].params.settings.switchyard.routes.completion, ":Switchyard provider")
end)

test(":Switchyard refactor runs switchyard.runAction, or says the server lacks it", function()
  local compat = fresh(10)
  local old = fake_client(7, {})
  stub(compat, "clients", function()
    return { old }
  end)
  local notes = capture()
  require("switchyard").setup({ autostart = false })
  scratch_file("refactor.go", "go")
  api.nvim_buf_set_lines(0, 0, -1, false, { "a", "bb", "ccc" })
  vim.cmd("2,3Switchyard refactor split it, then test it")
  eq(0, #old.sent, "nothing sent to a server without the command")
  truthy(notes[#notes].msg:find("does not offer the \"switchyard.runAction\" command yet"), "message: " .. vim.inspect(notes))
  local c = fake_client(8, { "switchyard.runAction" })
  stub(compat, "clients", function()
    return { c }
  end)
  vim.cmd("2,3Switchyard refactor split it, then test it")
  eq("workspace/executeCommand", c.sent[1].method, "method")
  local arg = c.sent[1].params.arguments[1]
  eq("switchyard.runAction", c.sent[1].params.command, "command")
  eq({ "refactor", "split it, then test it", "package" }, { arg.action, arg.instruction, arg.scope }, "action data")
  eq({ start = { line = 1, character = 0 }, ["end"] = { line = 2, character = 3 } }, arg.range, "range")
  local image = plugin .. "/test/unit.lua"
  vim.cmd("Switchyard image " .. vim.fn.fnameescape(image))
  truthy(notes[#notes].msg:find("switchyard.implementFromImage"), "image names the missing command: " .. vim.inspect(notes[#notes]))
  local both = fake_client(10, { "switchyard.runAction", "switchyard.implementFromImage" })
  stub(compat, "clients", function()
    return { both }
  end)
  vim.cmd("Switchyard image " .. vim.fn.fnameescape(image) .. " react")
  eq("switchyard.implementFromImage", both.sent[1].params.command, "image command")
  local a = both.sent[1].params.arguments[1]
  eq({ image, "react", nil }, { a.image, a.framework, a.range }, "image arguments without a range: a new file")
  vim.cmd("1Switchyard image " .. vim.fn.fnameescape(image))
  truthy(both.sent[2].params.arguments[1].range, "with a range, the code goes there")
end)

test("code actions: switchyard.runAction asks for the instruction first", function()
  local compat = fresh(10)
  local c = fake_client(9, { "switchyard.runAction" })
  stub(vim.lsp, "get_client_by_id", function()
    return c
  end)
  local answers = { "make it iterative", nil }
  stub(vim.ui, "input", function(_, on_confirm)
    on_confirm(table.remove(answers, 1))
  end)
  local actions = require("switchyard.actions")
  local cmd = { command = "switchyard.runAction", arguments = { { action = "rewrite", title = "Rewrite selection", uri = "file:///x.go" } } }
  actions.run_action(cmd, { client_id = 9, bufnr = 0 })
  eq(1, #c.sent, "requests")
  eq("make it iterative", c.sent[1].params.arguments[1].instruction, "instruction")
  actions.run_action({ command = "switchyard.runAction", arguments = { { action = "rewrite" } } }, { client_id = 9, bufnr = 0 })
  eq(1, #c.sent, "a cancelled prompt sends nothing")
  actions.run_action({ command = "switchyard.runAction", arguments = { { action = "fix" } } }, { client_id = 9, bufnr = 0 })
  eq(2, #c.sent, "an action needing no words runs at once")
  local _ = compat
end)

test("code actions: before 0.10, a failed resolve of a command action runs the command", function()
  fresh(9)
  local answered = {}
  local c = { request = function(method, params, handler)
    handler({ code = -32602, message = "cannot resolve" }, nil, { method = method }, {})
    return true, 1
  end }
  require("switchyard.actions").resolve_fallback(c)
  local action = { title = "Rewrite", command = { command = "switchyard.runAction", arguments = { {} } } }
  c.request("codeAction/resolve", action, function(err, result)
    answered[#answered + 1] = { err = err, result = result }
  end)
  eq({ { result = action } }, answered, "the action itself, with no error")
  answered = {}
  c.request("codeAction/resolve", { title = "Document", data = {} }, function(err, result)
    answered[#answered + 1] = { err = err, result = result }
  end)
  eq("cannot resolve", answered[1].err.message, "an action without a command keeps its error")
end)

---------------------------------------------------------------- status and health

test("statusline follows switchyard/status", function()
  fresh()
  local status = require("switchyard.status")
  eq("", require("switchyard").statusline(), "before anything")
  status.handler(nil, { model = "mb", provider = "b", online = true })
  eq("switchyard mb@b", require("switchyard").statusline(), "online")
  status.handler(nil, { model = "mb", provider = "b", online = false, lastError = "provider b: 429" })
  eq("switchyard mb@b (offline) !", require("switchyard").statusline(), "offline with an error")
  status.set_format(function(s)
    return s.model
  end)
  eq("mb", require("switchyard").statusline(), "custom format")
end)

test("health: vim.health.* on 0.10+, report_* on 0.8, health#report_* on 0.7", function()
  local calls = {}
  local function rec(kind)
    return function(msg)
      calls[#calls + 1] = kind .. ": " .. msg
    end
  end
  stub(vim, "health", {
    start = rec("start"),
    ok = rec("ok"),
    warn = rec("warn"),
    error = rec("error"),
    info = rec("info"),
    report_start = rec("report_start"),
    report_ok = rec("report_ok"),
    report_warn = rec("report_warn"),
    report_error = rec("report_error"),
    report_info = rec("report_info"),
  })
  fresh(10)
  require("switchyard").setup({ autostart = false, cmd = { "/nonexistent/switchyard" } })
  require("switchyard.health").check()
  truthy(vim.tbl_contains(calls, "start: switchyard: setup"), "0.10 start: " .. vim.inspect(calls))
  truthy(vim.tbl_contains(calls, 'error: server: "/nonexistent/switchyard" is not an executable on $PATH'), "0.10 error")
  calls = {}
  fresh(8)
  require("switchyard").setup({ autostart = false })
  require("switchyard.health").check()
  truthy(vim.tbl_contains(calls, "report_ok: setup() was called"), "0.8: " .. vim.inspect(calls))
  restore()
  fresh(7)
  local r = require("switchyard.health").reporter()
  eq(vim.fn["health#report_start"], r.start, "0.7 start")
end)

test(":checkhealth switchyard on the running Neovim", function()
  fresh()
  require("switchyard").setup({ autostart = false, cmd = { "/nonexistent/switchyard" } })
  vim.cmd("checkhealth switchyard")
  local text = table.concat(api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  vim.cmd("bwipeout!")
  truthy(text:find("OK:? setup%(%) was called"), "setup reported:\n" .. text)
  truthy(text:find("is not an executable on $PATH", 1, true), "missing binary reported:\n" .. text)
end)

---------------------------------------------------------------- next edit

-- A buffer where "count" was just renamed to "total" on the first line,
-- attached to a fake client that announces switchyard/nextEdit.
local function renamed_buffer(opts)
  fresh()
  local sy = require("switchyard")
  sy.setup(vim.tbl_extend("force", { autostart = false, next_edit = { enabled = true, debounce = "20ms" } }, opts or {}))
  local buf = scratch_file("calc.py", "python")
  api.nvim_buf_set_lines(buf, 0, -1, false, { "def add(total, b):", "    return count + b", "" })
  local c = fake_client(5)
  c.server_capabilities.experimental = { switchyard = { nextEdit = true } }
  require("switchyard.client").client_config("/tmp").on_attach(c, buf)
  stub(vim.lsp.util.buf_versions, buf, 7)
  stub(vim.lsp, "get_client_by_id", function(id)
    return id == c.id and c or nil
  end)
  return buf, c
end

local function rename_answer(buf, version)
  return {
    uri = vim.uri_from_bufnr(buf),
    version = version or 7,
    edits = { { range = { start = { line = 1, character = 11 }, ["end"] = { line = 1, character = 16 } }, newText = "total" } },
  }
end

test("next edit: durations are read as the server reads them", function()
  local ne = require("switchyard.nextedit")
  local table_ = {
    { "300ms", 300 },
    { "1.5s", 1500 },
    { "1m30s", 90000 },
    { "250", 250 },
    { 120, 120 },
    { "500µs", 0.5 },
    { "", 300 },
    { "soon", 300 },
    { "5 ms", 300 },
    { nil, 300 },
    { -1, 300 },
  }
  for _, t in ipairs(table_) do
    eq(t[2], ne.duration_ms(t[1], 300), "duration " .. vim.inspect(t[1]))
  end
end)

test("next edit: off unless enabled, and only with the capability", function()
  fresh()
  local sy = require("switchyard")
  sy.setup({ autostart = false })
  local ne = require("switchyard.nextedit")
  eq(false, ne.enabled(), "off by default")
  eq(nil, sy.settings().next_edit, "nothing sent to the server")
  local buf = scratch_file("off.py", "python")
  local c = fake_client(6)
  stub(vim.lsp, "get_client_by_id", function(id)
    return id == c.id and c or nil
  end)
  require("switchyard.client").client_config("/tmp").on_attach(c, buf)
  local normal = {}
  for _, m in ipairs(api.nvim_buf_get_keymap(buf, "n")) do
    normal[m.lhs] = true
  end
  eq(nil, normal["<Tab>"], "no normal-mode Tab while next edits are off")
  ne.request(buf)
  eq({}, c.sent, "no request while off")
  sy.set_settings({ next_edit = { enabled = true } })
  eq(true, ne.enabled(), "on after set_settings")
  eq(300, ne.debounce_ms(), "default debounce")
  c.sent = {}
  ne.request(buf)
  eq({}, c.sent, "no request without the server's capability")
  c.server_capabilities.experimental = { switchyard = { nextEdit = true } }
  ne.request(buf)
  eq("switchyard/nextEdit", c.sent[1] and c.sent[1].method, "request once announced")
  for _, m in ipairs(api.nvim_buf_get_keymap(buf, "n")) do
    normal[m.lhs] = true
  end
  truthy(normal["<Tab>"], "normal-mode Tab mapped once turned on")
end)

test("next edit: with nothing in setup, follows config.toml through the server's status", function()
  fresh()
  local sy = require("switchyard")
  sy.setup({ autostart = false })
  local ne = require("switchyard.nextedit")
  local status = require("switchyard.status")
  local buf = scratch_file("status.py", "python")
  local c = fake_client(8)
  c.server_capabilities.experimental = { switchyard = { nextEdit = true } }
  stub(vim.lsp, "get_client_by_id", function(id)
    return id == c.id and c or nil
  end)
  require("switchyard.client").client_config("/tmp").on_attach(c, buf)
  local function tab_mapped()
    for _, m in ipairs(api.nvim_buf_get_keymap(buf, "n")) do
      if m.lhs == "<Tab>" then
        return true
      end
    end
    return false
  end
  eq(false, ne.enabled(), "off before the server says anything")
  eq(false, tab_mapped(), "no normal-mode Tab before")

  status.handler(nil, { model = "m", online = true, nextEdit = { debounceMs = 120 } })
  eq(true, ne.enabled(), "on once the status says [next_edit] is on")
  eq(120, ne.debounce_ms(), "the server's debounce")
  vim.wait(1000, tab_mapped)
  eq(true, tab_mapped(), "normal-mode Tab mapped once the status turned next edits on")
  ne.request(buf)
  eq("switchyard/nextEdit", c.sent[#c.sent] and c.sent[#c.sent].method, "asked with nothing in setup")

  status.handler(nil, { model = "m", online = true })
  eq(false, ne.enabled(), "off again when the status says nothing of next edits")
  c.sent = {}
  ne.request(buf)
  eq({}, c.sent, "no request once off")

  -- setup() still decides when it says: forced off, or its own debounce.
  status.handler(nil, { online = true, nextEdit = { debounceMs = 120 } })
  sy.set_settings({ next_edit = { enabled = false } })
  eq(false, ne.enabled(), "setup's false wins over the status")
  sy.set_settings({ next_edit = { debounce = "40ms" } })
  eq(true, ne.enabled(), "no enabled in setup: the status decides")
  eq(40, ne.debounce_ms(), "setup's debounce wins over the server's")
end)

test("next edit: the request carries the position and the version", function()
  local buf, c = renamed_buffer()
  api.nvim_win_set_cursor(0, { 1, 13 })
  require("switchyard.nextedit").request(buf)
  eq({
    method = "switchyard/nextEdit",
    params = { textDocument = { uri = vim.uri_from_bufnr(buf), version = 7 }, position = { line = 0, character = 13 } },
  }, c.sent[#c.sent], "request")
end)

test("next edit: an answer for another version or out of order is not shown", function()
  local buf = renamed_buffer()
  local ne = require("switchyard.nextedit")
  eq(false, ne.show(buf, rename_answer(buf, 6), "utf-16"), "old version")
  eq(false, ne.show(buf, vim.NIL, "utf-16"), "null")
  local bad = rename_answer(buf)
  bad.uri = "file:///elsewhere.py"
  eq(false, ne.show(buf, bad, "utf-16"), "another document")
  bad = rename_answer(buf)
  table.insert(bad.edits, 1, { range = { start = { line = 1, character = 18 }, ["end"] = { line = 1, character = 20 } }, newText = "x" })
  eq(false, ne.show(buf, bad, "utf-16"), "out of order")
  bad = rename_answer(buf)
  bad.edits[1].range["end"] = { line = 9, character = 0 }
  eq(false, ne.show(buf, bad, "utf-16"), "past the end")
  eq({}, api.nvim_buf_get_extmarks(buf, ne.ns, 0, -1, {}), "no extmarks")
end)

test("next edit: shown with extmarks, applied as one undo step", function()
  local buf = renamed_buffer()
  local ne = require("switchyard.nextedit")
  api.nvim_win_set_cursor(0, { 1, 12 })
  -- A whole rewritten line: only the changed word is marked.
  local answer = rename_answer(buf)
  answer.edits[1].range = { start = { line = 1, character = 0 }, ["end"] = { line = 1, character = 20 } }
  answer.edits[1].newText = "    return total + b"
  truthy(ne.show(buf, answer, "utf-16"), "shown")
  local marks = api.nvim_buf_get_extmarks(buf, ne.ns, 0, -1, { details = true })
  eq(2, #marks, "the removed word and the new one: " .. vim.inspect(marks))
  local struck, added
  for _, m in ipairs(marks) do
    if m[4].hl_group then
      struck = m
    else
      added = m
    end
  end
  eq({ 1, 11 }, { struck[2], struck[3] }, "strike-through starts at count")
  eq(1, struck[4].end_row, "end row")
  eq(16, struck[4].end_col, "end col")
  eq("SwitchyardNextEditDelete", struck[4].hl_group, "highlight")
  eq(1, added[2], "new text on the same line")
  eq("→ total", added[4].virt_text[1][1], "new text at the end of the line")
  eq(true, require("switchyard").next_edit_visible(), "visible")
  vim.cmd("let &undolevels = &undolevels")
  truthy(require("switchyard").accept_next_edit(), "accepted: the cursor was on the line above")
  eq({ "def add(total, b):", "    return total + b", "" }, api.nvim_buf_get_lines(buf, 0, -1, false), "applied")
  eq({}, api.nvim_buf_get_extmarks(buf, ne.ns, 0, -1, {}), "marks gone")
  vim.cmd("silent undo")
  eq({ "def add(total, b):", "    return count + b", "" }, api.nvim_buf_get_lines(buf, 0, -1, false), "one undo takes it back")
  eq(false, require("switchyard").accept_next_edit(), "nothing left to accept")
end)

test("next edit: an edit inside a word is shown over the whole word", function()
  local buf = renamed_buffer()
  local ne = require("switchyard.nextedit")
  local function shown(scol, ecol, text)
    return ne.display(buf, { { srow = 1, scol = scol, erow = 1, ecol = ecol, text = text } })
  end
  -- "c" to "am" is what a server diffing by character sends for count -> amount.
  eq({ { srow = 1, scol = 11, erow = 1, ecol = 16, removed = "count", inserted = "amount" } }, shown(11, 12, "am"), "c -> am")
  eq({ { srow = 1, scol = 11, erow = 1, ecol = 16, removed = "count", inserted = "counter" } }, shown(16, 16, "er"), "insert at the end of a word")
  eq({ { srow = 1, scol = 17, erow = 1, ecol = 18, removed = "+", inserted = "-" } }, shown(17, 18, "-"), "between words")
  eq({}, shown(11, 16, "count"), "no change")
end)

test("next edit: away from the cursor the key jumps first, with a hint", function()
  local buf = renamed_buffer()
  local ne = require("switchyard.nextedit")
  api.nvim_buf_set_lines(buf, -1, -1, false, vim.fn["repeat"]({ "" }, 20))
  api.nvim_win_set_cursor(0, { 15, 0 })
  truthy(ne.show(buf, rename_answer(buf), "utf-16"), "shown")
  local hint
  for _, m in ipairs(api.nvim_buf_get_extmarks(buf, ne.ns, 0, -1, { details = true })) do
    if m[2] == 14 then
      hint = m[4].virt_text[1][1]
    end
  end
  eq("↑ next edit at line 2 (<Tab>)", hint, "hint at the cursor")
  truthy(ne.accept(buf), "jumped")
  eq({ 2, 11 }, api.nvim_win_get_cursor(0), "cursor at the edit")
  eq("    return count + b", api.nvim_buf_get_lines(buf, 1, 2, false)[1], "not applied yet")
  truthy(ne.accept(buf), "applied")
  eq("    return total + b", api.nvim_buf_get_lines(buf, 1, 2, false)[1], "applied on the second press")
end)

test("next edit: a change dismisses, and a stale suggestion is not applied", function()
  local buf = renamed_buffer()
  local ne = require("switchyard.nextedit")
  api.nvim_win_set_cursor(0, { 1, 0 })
  truthy(ne.show(buf, rename_answer(buf), "utf-16"), "shown")
  ne.on_change(buf)
  eq(false, ne.visible(buf), "dismissed by a change")
  truthy(ne.show(buf, rename_answer(buf), "utf-16"), "shown again")
  rawset(vim.lsp.util.buf_versions, buf, 8)
  truthy(ne.accept(buf), "the key was taken")
  eq("    return count + b", api.nvim_buf_get_lines(buf, 1, 2, false)[1], "not applied to version 8")
  eq(false, ne.visible(buf), "dropped")
  ne.detach(buf)
end)

---------------------------------------------------------------- per buffer

test("per buffer: a newer request, a dismiss or a change supersedes the answer in flight", function()
  fresh(7)
  local perbuf = require("switchyard.perbuf")
  local cleared = 0
  local set = perbuf.new("unit", function()
    cleared = cleared + 1
    return true
  end)
  local buf = scratch_file("perbuf.txt")
  local c = fake_client(9)
  local handlers, cancelled = {}, {}
  c.request = function(_, _, handler)
    handlers[#handlers + 1] = handler
    return true, #handlers
  end
  c.cancel_request = function(id)
    cancelled[#cancelled + 1] = id
  end
  stub(vim.lsp, "get_client_by_id", function(id)
    return id == c.id and c or nil
  end)
  local st = set:attach(c, buf, { mine = true }, {})
  eq(true, set:attached(buf), "attached")
  eq(9, st.client_id, "client kept")
  local got = {}
  local function send()
    perbuf.send(st, c, "x/y", {}, buf, function(_, result)
      got[#got + 1] = result
    end)
  end
  send()
  send()
  eq({ 1 }, cancelled, "the first request cancelled by the second")
  handlers[1](nil, "old")
  handlers[2](nil, "new")
  eq({ "new" }, got, "only the answer of the request in flight")
  handlers[2](nil, "again")
  eq({ "new" }, got, "an answer is taken once")
  send()
  eq(true, set:dismiss(buf), "dismiss reports what clear says")
  eq({ 1, 3 }, cancelled, "dismiss cancels")
  handlers[3](nil, "late")
  eq({ "new" }, got, "no answer after a dismiss")
  st.shown = { "x" }
  eq(true, set:visible(buf), "visible while something is shown")
  eq({ "x" }, set:shown(buf), "shown")
  local asked = 0
  send()
  set:on_change(buf, function(s)
    return s.mine
  end, function()
    return 10
  end, function()
    asked = asked + 1
  end)
  eq({ 1, 3, 4 }, cancelled, "a change cancels")
  truthy(vim.wait(1000, function()
    return asked == 1
  end, 5), "asked again after the debounce")
  local before = cleared
  set:detach(buf)
  eq(false, set:attached(buf), "detached")
  eq(before + 1, cleared, "detach clears")
  eq(false, pcall(api.nvim_get_autocmds, { group = "switchyard_unit_" .. buf }), "augroup removed")
end)

---------------------------------------------------------------- run

local results = {}
for _, t in ipairs(tests) do
  local ok, err = xpcall(t.fn, debug.traceback)
  restore()
  -- Buffers of one test must not be attached by the next one's setup().
  vim.cmd("silent! %bwipeout!")
  results[#results + 1] = { name = t.name, ok = ok, err = ok and "" or tostring(err) }
end
H.finish({ tests = results, version = tostring(vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch) })
