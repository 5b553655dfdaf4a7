-- End-to-end scenario, run as the init file of a headless Neovim by
-- editors/neovim_test.go against the built server and two fake
-- OpenAI-compatible providers:
--   1. setup() starts the server for a Go file;
--   2. typing shows ghost text from provider a, as an extmark;
--   3. <M-CR> accepts it;
--   4. :Switchyard model mb switches the model; the next ghost text comes
--      from provider b and <Tab> accepts it;
--   5. a code action is applied, if the server offers any.
local plugin = os.getenv("SWITCHYARD_TEST_PLUGIN")
vim.opt.rtp:prepend(plugin)
local H = dofile(plugin .. "/test/harness.lua")

H.plain_editor()
local notes = H.capture_notify()

local sy = require("switchyard")
local ghost = require("switchyard.ghost")

local model_id = "qwen2.5-coder:1.5b-base"
sy.setup({
  cmd = { os.getenv("SWITCHYARD_TEST_BIN"), "serve", "--stdio" },
  providers = {
    a = { type = "openai", base_url = os.getenv("SWITCHYARD_TEST_URL_A") },
    b = { type = "openai", base_url = os.getenv("SWITCHYARD_TEST_URL_B") },
  },
  models = {
    ma = { provider = "a", id = model_id, classes = { "completion" } },
    mb = { provider = "b", id = model_id, classes = { "completion" } },
  },
  routes = { completion = { "ma" } },
  completion = { debounce = "10ms" },
})

-- The server logs "configuration in force" each time it rebuilds its
-- router; counting those tells when a switch has reached it.
local applied = 0
local log_message = vim.lsp.handlers["window/logMessage"]
vim.lsp.handlers["window/logMessage"] = function(err, result, ctx, cfg)
  if result and type(result.message) == "string" and result.message:find("configuration in force", 1, true) then
    applied = applied + 1
  end
  return log_message(err, result, ctx, cfg)
end

local function extmarks(bufnr)
  return vim.api.nvim_buf_get_extmarks(bufnr, ghost.ns, 0, -1, { details = true })
end

H.run(function()
  local res = H.results
  res.notes = notes
  local buf, c = H.open_attached()
  res.offset_encoding = c.offset_encoding

  -- 2. Ghost text from provider a after "fmt.Println(".
  vim.api.nvim_win_set_cursor(0, { 6, 0 })
  H.type("A(")
  H.wait(function()
    return ghost.visible(buf)
  end, 10000, "ghost text from provider a")
  res.first_marks = extmarks(buf)
  res.first_cursor = vim.api.nvim_win_get_cursor(0)
  res.statusline_before = sy.statusline()

  -- 3. Accept with <M-CR>.
  H.type("<M-CR>")
  H.wait(function()
    return not ghost.visible(buf)
  end, 2000, "the ghost text to be accepted")
  res.after_first = H.lines(buf)
  res.cursor_after_first = vim.api.nvim_win_get_cursor(0)
  res.marks_after_first = extmarks(buf)
  H.type("<Esc>")

  -- 4. Switch the model, then complete after "fmt." on a new line.
  local before = applied
  vim.cmd("Switchyard model mb")
  res.settings_after_switch = sy.settings()
  H.wait(function()
    return applied > before
  end, 5000, "the server to put the new configuration in force")
  H.type("o<Tab>fmt.")
  H.wait(function()
    return ghost.visible(buf)
  end, 10000, "ghost text from provider b")
  res.second_marks = extmarks(buf)
  H.type("<Tab>")
  H.wait(function()
    return not ghost.visible(buf)
  end, 2000, "the second ghost text to be accepted")
  res.after_second = H.lines(buf)
  H.type("<Esc>")
  H.wait(function()
    return sy.statusline():find("mb", 1, true)
  end, 5000, "the statusline to name model mb")
  res.statusline_after = sy.statusline()

  -- 5. A code action, when the server offers them.
  local caps = c.server_capabilities or {}
  if caps.codeActionProvider then
    res.code_actions = "offered"
  else
    res.code_actions = "not offered"
  end
  return res
end)
