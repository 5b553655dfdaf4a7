-- End-to-end scenario for next-edit suggestions, run as the init file of a
-- headless Neovim by editors/neovim_nextedit_test.go against the built
-- server and a fake OpenAI-compatible provider that answers next-edit
-- prompts with the rename carried to the other uses:
--   1. setup() with next_edit.enabled starts the server for a Python file;
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

H.run(function()
  local res = H.results
  res.notes = notes
  local buf, c = H.open_attached()
  res.capability = nextedit.supported(c)
  res.tab_mapped = vim.fn.maparg("<Tab>", "n") ~= ""

  -- 2. Rename the parameter: the cursor on "count" in "def scale(count,".
  vim.api.nvim_win_set_cursor(0, { 1, 10 })
  H.type("ciwamount<Esc>")
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
