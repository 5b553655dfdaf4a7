-- Code-action scenario, run as the init file of a headless Neovim by
-- editors/neovim_test.go: select a line, pick "Rewrite with AI" from
-- vim.lsp.buf's code-action menu, give the instruction the plugin asks
-- for, and wait for the server's workspace/applyEdit to change the line.
local plugin = os.getenv("SWITCHYARD_TEST_PLUGIN")
vim.opt.rtp:prepend(plugin)
local H = dofile(plugin .. "/test/harness.lua")

vim.o.swapfile = false
local notes = H.capture_notify()

local sy = require("switchyard")
local client = require("switchyard.client")

local model_id = "qwen2.5-coder:1.5b-base"
sy.setup({
  cmd = { os.getenv("SWITCHYARD_TEST_BIN"), "serve", "--stdio" },
  providers = { a = { type = "openai", base_url = os.getenv("SWITCHYARD_TEST_URL_A") } },
  models = { ma = { provider = "a", id = model_id, classes = { "completion", "coding" } } },
  routes = { completion = { "ma" }, coding = { "ma" } },
})

-- The menu and the prompt, answered as a user would.
local titles, prompts = {}, {}
vim.ui.select = function(items, opts, on_choice)
  for i, item in ipairs(items) do
    local title = opts.format_item and opts.format_item(item) or tostring(item)
    titles[#titles + 1] = title
    if title:find("^Rewrite with AI") then
      return on_choice(item, i)
    end
  end
  on_choice(nil)
end
vim.ui.input = function(opts, on_confirm)
  prompts[#prompts + 1] = opts.prompt
  on_confirm("greet the world")
end

H.run(function()
  local res = H.results
  res.notes, res.titles, res.prompts = notes, titles, prompts
  local buf, c = H.open_attached()
  res.commands = client.server_commands(c)

  local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local line = before[6]
  -- Line 6, whole: the range a visual selection of it gives.
  if vim.lsp.buf.range_code_action then
    vim.lsp.buf.range_code_action(nil, { 6, 0 }, { 6, #line })
  else
    vim.lsp.buf.code_action({ range = { start = { 6, 0 }, ["end"] = { 6, #line } } })
  end
  H.wait(function()
    return vim.api.nvim_buf_get_lines(buf, 5, 6, false)[1] ~= line
  end, 15000, "the rewrite to change line 6")
  res.after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  return res
end)
