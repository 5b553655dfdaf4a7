-- Switchyard for Neovim: starts the switchyard language server, shows its
-- inline completions as ghost text, and lets the user switch models,
-- providers and routes without restarting.
--
--   require("switchyard").setup({
--     providers = { ["local"] = { type = "ollama", base_url = "http://127.0.0.1:11434" } },
--     models = { coder = { provider = "local", id = "qwen2.5-coder:1.5b-base", classes = { "completion" } } },
--     routes = { completion = { "coder" } },
--   })
--
-- See :help switchyard.
local compat = require("switchyard.compat")
local config = require("switchyard.config")
local client = require("switchyard.client")
local ghost = require("switchyard.ghost")
local nextedit = require("switchyard.nextedit")
local status = require("switchyard.status")

local M = {}

local api = vim.api

-- Plugin options in force; nil before setup().
M.options = nil

--- How ghost text is shown: "native" (vim.lsp.inline_completion, 0.12+),
--- "plugin" (this plugin's renderer) or "off".
function M.ghost_mode()
  local o = M.options
  if not o or not o.ghost_text.enabled then
    return "off"
  end
  if compat.at_least(12) and vim.lsp.inline_completion then
    return "native"
  end
  return "plugin"
end

--- Whether ghost text is shown in the current buffer. On 0.12+ Neovim
--- does not say, and this returns nil.
function M.visible()
  if M.ghost_mode() == "native" then
    return nil
  end
  return ghost.visible(0)
end

--- Inserts the ghost text shown in the current buffer. Returns false when
--- there was none, so a mapping can fall back to the key's own meaning.
function M.accept()
  if M.ghost_mode() == "native" then
    return vim.lsp.inline_completion.get()
  end
  return ghost.accept(0)
end

--- Hides the ghost text; returns whether some was shown.
function M.dismiss()
  if M.ghost_mode() == "native" then
    return false
  end
  return ghost.dismiss(0)
end

--- Asks for a completion at the cursor now, without waiting for a pause
--- in typing (the plugin's renderer; 0.12+ asks by itself).
function M.trigger()
  if M.ghost_mode() == "plugin" then
    ghost.request(api.nvim_get_current_buf(), ghost.INVOKED)
  end
end

--- The statusline component, fed by the server's switchyard/status.
---@return string
function M.statusline()
  return status.statusline()
end

--- The server settings in force (the "switchyard" section).
function M.settings()
  return client.settings()
end

-- Maps the plugin's keys in a buffer; defined below.
local map_keys

--- Replaces the server settings and sends them with
--- workspace/didChangeConfiguration; returns the number of clients told.
---@param settings table
function M.set_settings(settings)
  ghost.dismiss(0)
  nextedit.dismiss(0)
  local n = client.set_settings(config.clean(settings) or {})
  -- next_edit.enabled may have been turned on: map its key.
  for _, bufnr in ipairs(api.nvim_list_bufs()) do
    if nextedit.attached(bufnr) then
      map_keys(bufnr)
    end
  end
  return n
end

--- Puts model first in the route for task (default "completion").
function M.use_model(model, task)
  return M.set_settings(config.prefer_model(client.settings(), task or "completion", model))
end

--- Prefers models served by provider in every route; returns the tasks
--- whose route has none of its models.
function M.use_provider(provider)
  local s, untouched = config.prefer_provider(client.settings(), provider)
  M.set_settings(s)
  return untouched
end

-- Feeds key without mappings, for a mapping that has nothing to do. "i"
-- puts it before the rest of the typeahead, so keys typed after it keep
-- their order.
local function feed(key)
  api.nvim_feedkeys(api.nvim_replace_termcodes(key, true, false, true), "ni", false)
end

--- Goes to the next-edit suggestion shown in the current buffer, or
--- applies it when the cursor is at it. Returns false when none is shown.
function M.accept_next_edit()
  return nextedit.accept(0)
end

--- Hides the next-edit suggestion; returns whether one was shown.
function M.dismiss_next_edit()
  return nextedit.dismiss(0)
end

--- Whether a next-edit suggestion is shown in the current buffer.
function M.next_edit_visible()
  return nextedit.visible(0)
end

function map_keys(bufnr)
  local keys = M.options.keymaps
  local ghost_on = M.ghost_mode() ~= "off"
  local function imap(lhs, fn, desc)
    if lhs and lhs ~= "" then
      vim.keymap.set("i", lhs, fn, { buffer = bufnr, desc = desc, silent = true })
    end
  end
  if ghost_on then
    imap(keys.accept, function()
      if not M.accept() then
        feed(keys.accept)
      end
    end, "Switchyard: accept the ghost text")
  end
  -- One insert-mode <Tab> for both surfaces: the completion menu keeps it,
  -- then ghost text, then a next edit, else a tab.
  -- The next-edit key is mapped once the user turns next edits on, so
  -- that until then the key is left alone entirely.
  local next_key = nextedit.enabled() and keys.next_edit or nil
  local tab_next = next_key == "<Tab>"
  if (ghost_on and keys.accept_tab) or tab_next then
    imap("<Tab>", function()
      if vim.fn.pumvisible() == 1 then
        feed("<Tab>")
      elseif not ((ghost_on and keys.accept_tab and M.accept()) or (tab_next and M.accept_next_edit())) then
        feed("<Tab>")
      end
    end, "Switchyard: accept the ghost text or the next edit, else insert a tab")
  end
  if next_key and next_key ~= "" then
    if not tab_next then
      imap(next_key, function()
        if not M.accept_next_edit() then
          feed(next_key)
        end
      end, "Switchyard: go to or apply the next edit")
    end
    vim.keymap.set("n", next_key, function()
      if not M.accept_next_edit() then
        feed(next_key)
      end
    end, { buffer = bufnr, desc = "Switchyard: go to or apply the next edit", silent = true })
  end
  if M.ghost_mode() == "plugin" then
    imap(keys.dismiss, function()
      if not M.dismiss() then
        feed(keys.dismiss)
      end
    end, "Switchyard: hide the ghost text")
    imap(keys.trigger, M.trigger, "Switchyard: ask for a completion now")
  end
end

local function on_attach(c, bufnr)
  local mode = M.ghost_mode()
  if mode == "native" then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
  elseif mode == "plugin" then
    ghost.attach(c, bufnr)
  end
  -- Always attached: it asks nothing until next_edit.enabled is set, and
  -- the setting may be turned on later.
  nextedit.attach(c, bufnr)
  map_keys(bufnr)
  -- The same suggestions in the completion menu, for <C-x><C-o>; 0.7
  -- does not set it for LSP buffers.
  if vim.bo[bufnr].omnifunc == "" then
    vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
  end
  if M.options.on_attach then
    M.options.on_attach(c, bufnr)
  end
end

--- Sets the plugin up and, unless autostart is false, starts the server
--- for the buffers it serves. Calling it again replaces the options and
--- sends the new settings to running servers.
---@param opts table|nil see :help switchyard-options
function M.setup(opts)
  local o, settings, problems = config.resolve(opts)
  for _, p in ipairs(problems) do
    vim.notify("switchyard: " .. p, vim.log.levels.WARN)
  end
  local again = M.options ~= nil
  M.options = o
  vim.cmd("highlight default link SwitchyardGhostText Comment")
  vim.cmd("highlight default SwitchyardNextEditDelete cterm=strikethrough gui=strikethrough ctermfg=red guifg=#e06c75")
  vim.cmd("highlight default link SwitchyardNextEditAdd DiffAdd")
  vim.cmd("highlight default link SwitchyardNextEditHint Comment")
  status.set_format(o.statusline)
  ghost.configure(o.ghost_text)
  nextedit.configure(client.settings)
  -- config.toml may turn next edits on, which the server's status says:
  -- map their key then, as set_settings does, and ask for the current
  -- buffer after the pause, since the edits that came before the status
  -- asked nothing. The server sends its first status once it has picked
  -- a model, on the first completion.
  local group = api.nvim_create_augroup("switchyard_nextedit_status", { clear = true })
  local was_on = nextedit.enabled()
  api.nvim_create_autocmd("User", {
    group = group,
    pattern = "SwitchyardStatus",
    callback = function()
      local on = nextedit.enabled()
      local turned_on = on and not was_on
      was_on = on
      if not turned_on then
        return
      end
      for _, bufnr in ipairs(api.nvim_list_bufs()) do
        if nextedit.attached(bufnr) then
          map_keys(bufnr)
        end
      end
      local cur = api.nvim_get_current_buf()
      if nextedit.attached(cur) then
        nextedit.on_change(cur)
      end
    end,
  })
  client.configure(o, settings, on_attach)
  require("switchyard.commands").create()
  if again then
    client.set_settings(settings)
    return
  end
  if o.autostart then
    client.start()
  end
end

--- Starts the server for the current buffer (autostart = false).
function M.start()
  if compat.at_least(11) then
    client.start()
    return
  end
  client.attach(api.nvim_get_current_buf())
end

return M
