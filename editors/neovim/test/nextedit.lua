-- End-to-end scenario for next-edit suggestions, run as the init file of a
-- headless Neovim by editors/neovim_nextedit_test.go against the built
-- server and a fake OpenAI-compatible provider that answers next-edit
-- prompts with the rename carried to the other uses:
--   1. setup() with next_edit.enabled starts the server for a Python file
--      (or, with SWITCHYARD_TEST_FROM_CONFIG=1, setup() names only the
--      server, config.toml says the rest and turns next edits on, and the
--      plugin learns it from the server's switchyard/status);
--   2. the user renames the parameter count to amount (ciw, in insert
--      mode, then <Esc>);
--   3. after the pause, the suggestion for the next line appears as
--      extmarks;
--   4. <Tab> in normal mode applies it, as one undo step;
--   5. :write, and the Go side reads the file.
local plugin = os.getenv("SWITCHYARD_TEST_PLUGIN")
vim.opt.rtp:prepend(plugin)
local H = dofile(plugin .. "/test/harness.lua")

H.plain_editor()
local notes = H.capture_notify()

local sy = require("switchyard")
local nextedit = require("switchyard.nextedit")

local from_config = os.getenv("SWITCHYARD_TEST_FROM_CONFIG") == "1"
if from_config then
  sy.setup({ cmd = { os.getenv("SWITCHYARD_TEST_BIN"), "serve", "--stdio" } })
else
  sy.setup({
    cmd = { os.getenv("SWITCHYARD_TEST_BIN"), "serve", "--stdio" },
    providers = { a = { type = "openai", base_url = os.getenv("SWITCHYARD_TEST_URL_A") } },
    models = {
      coder = { provider = "a", id = "qwen2.5-coder:1.5b-base", classes = { "completion" } },
      predictor = { provider = "a", id = "fake-next-edit", classes = { "next-edit" }, next_edit_format = "chat" },
    },
    routes = { completion = { "coder" }, next_edit = { "predictor" } },
    completion = { debounce = "10ms" },
    next_edit = { enabled = true, debounce = "50ms" },
  })
end

H.run(function()
  local res = H.results
  res.notes = notes
  local buf, c = H.open_attached()
  res.capability = nextedit.supported(c)
  res.setup_next_edit = sy.settings().next_edit == nil
  res.tab_mapped = vim.fn.maparg("<Tab>", "n") ~= ""

  -- 2. Rename the parameter: the cursor on "count" in "def scale(count,".
  vim.api.nvim_win_set_cursor(0, { 1, 10 })
  if from_config then
    -- The pause in insert mode asks for a completion, after which the
    -- server's status says what config.toml says of next edits; the
    -- plugin then asks for one.
    H.type("ciwamount")
    H.wait(nextedit.enabled, 10000, "the server's status to turn next edits on")
    res.debounce_ms = nextedit.debounce_ms()
    -- The key is mapped from the status's User autocommand, scheduled.
    res.tab_mapped = pcall(H.wait, function()
      return vim.fn.maparg("<Tab>", "n") ~= ""
    end, 2000, "<Tab> to be mapped")
    H.type("<Esc>")
  else
    H.type("ciwamount<Esc>")
  end
  res.after_rename = H.lines(buf)

  -- 3. The suggestion for the next line.
  H.wait(function()
    return nextedit.visible(buf)
  end, 10000, "a next-edit suggestion")
  res.marks = vim.api.nvim_buf_get_extmarks(buf, nextedit.ns, 0, -1, { details = true })
  res.cursor_shown = vim.api.nvim_win_get_cursor(0)
  res.lines_shown = H.lines(buf)

  -- 4. One key applies it.
  H.type("<Tab>")
  H.wait(function()
    return not nextedit.visible(buf) and H.lines(buf)[2] ~= res.lines_shown[2]
  end, 2000, "the suggestion to be applied")
  res.after_accept = H.lines(buf)
  res.marks_after = vim.api.nvim_buf_get_extmarks(buf, nextedit.ns, 0, -1, {})
  -- One undo step takes the suggestion back, and only it; redo restores.
  H.type("u")
  res.after_undo = H.lines(buf)
  H.type("<C-r>")
  res.after_redo = H.lines(buf)

  -- 5. Write.
  vim.cmd("write")
  return res
end)
