-- Starting the server and talking to it, on each Neovim version's API:
-- vim.lsp.config/vim.lsp.enable on 0.11+, vim.lsp.start on 0.8 to 0.10,
-- vim.lsp.start_client with vim.lsp.buf_attach_client on 0.7.
local compat = require("switchyard.compat")
local status = require("switchyard.status")

local M = {}

M.name = "switchyard"

local api = vim.api

-- Set by setup: plugin options, the server settings in force, and the
-- function run when a buffer is attached.
local state = { opts = nil, settings = {}, on_attach = nil }
-- 0.7: client ids by root folder, since start_client does not reuse.
local by_root = {}

function M.configure(opts, settings, on_attach)
  state.opts, state.settings, state.on_attach = opts, settings, on_attach
end

--- The server settings in force (the "switchyard" section).
function M.settings()
  return state.settings
end

--- Whether bufnr is a buffer the server should serve.
function M.wanted(bufnr)
  local opts = state.opts
  if not opts or not api.nvim_buf_is_valid(bufnr) then
    return false
  end
  if vim.bo[bufnr].buftype ~= "" then
    return false
  end
  local ft = vim.bo[bufnr].filetype
  if vim.tbl_contains(opts.exclude_filetypes or {}, ft) then
    return false
  end
  if opts.filetypes then
    return vim.tbl_contains(opts.filetypes, ft)
  end
  return true
end

--- The workspace root of bufnr: the nearest folder above its file that
--- holds one of the root markers, else the current directory. Written
--- with findfile/finddir because vim.fs.find only came in 0.8.
function M.root(bufnr)
  local name = api.nvim_buf_get_name(bufnr)
  local dir = name ~= "" and vim.fn.fnamemodify(name, ":p:h") or vim.fn.getcwd()
  for _, marker in ipairs(state.opts and state.opts.root_markers or {}) do
    local found = vim.fn.finddir(marker, dir .. ";")
    if found == "" then
      found = vim.fn.findfile(marker, dir .. ";")
    end
    if found ~= "" then
      -- A folder comes back with a trailing slash after :p.
      local path = vim.fn.fnamemodify(found, ":p"):gsub("/$", "")
      return vim.fn.fnamemodify(path, ":h")
    end
  end
  return vim.fn.getcwd()
end

local function handlers()
  return { ["switchyard/status"] = status.handler }
end

--- The client configuration shared by every start path.
function M.client_config(root)
  local settings = state.settings
  return {
    name = M.name,
    cmd = require("switchyard.config").command(state.opts),
    root_dir = root,
    workspace_folders = root and { { uri = vim.uri_from_fname(root), name = root } } or nil,
    init_options = settings,
    settings = { switchyard = settings },
    handlers = handlers(),
    commands = { [require("switchyard.actions").RUN_ACTION] = require("switchyard.actions").run_action },
    on_init = function(client)
      if not compat.at_least(10) then
        require("switchyard.actions").resolve_fallback(client)
      end
    end,
    on_attach = function(client, bufnr)
      status.running = true
      if state.on_attach then
        state.on_attach(client, bufnr)
      end
    end,
  }
end

--- Attaches bufnr to the server, starting it if needed (0.7 to 0.10; on
--- 0.11+ vim.lsp.enable does this itself).
function M.attach(bufnr)
  if not M.wanted(bufnr) then
    return nil
  end
  local root = M.root(bufnr)
  if compat.at_least(8) then
    return vim.lsp.start(M.client_config(root), { bufnr = bufnr })
  end
  local id = by_root[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(M.client_config(root))
    by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Registers the server: with vim.lsp.config/enable on 0.11+, else with a
--- FileType autocommand, and attaches buffers already open.
function M.start()
  if compat.at_least(11) then
    local cfg = M.client_config(nil)
    cfg.root_dir = function(bufnr, on_dir)
      if M.wanted(bufnr) then
        on_dir(M.root(bufnr))
      end
    end
    cfg.workspace_folders = nil
    cfg.filetypes = state.opts.filetypes
    vim.lsp.config(M.name, cfg)
    vim.lsp.enable(M.name)
    return
  end
  local group = api.nvim_create_augroup("switchyard_start", { clear = true })
  api.nvim_create_autocmd("FileType", {
    group = group,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  for _, bufnr in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype ~= "" then
      M.attach(bufnr)
    end
  end
end

--- The running switchyard clients.
function M.clients()
  return compat.clients(M.name)
end

--- The client serving bufnr (default: current buffer), or any running one.
function M.get(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local any
  for _, c in ipairs(M.clients()) do
    any = any or c
    if c.attached_buffers and c.attached_buffers[bufnr] then
      return c
    end
  end
  return any
end

--- Puts settings in force: every running client answers
--- workspace/configuration with them from now on, and is sent
--- workspace/didChangeConfiguration carrying them.
---@param settings table the new "switchyard" section
function M.set_settings(settings)
  state.settings = settings
  local n = 0
  for _, client in ipairs(M.clients()) do
    for _, t in ipairs(compat.settings_tables(client)) do
      t.switchyard = settings
    end
    if client.config then
      client.config.init_options = settings
    end
    compat.notify(client, "workspace/didChangeConfiguration", { settings = { switchyard = settings } })
    n = n + 1
  end
  -- 0.11+: clients started later get the new settings too. The entry is
  -- replaced, not merged with vim.lsp.config(), whose deep merge would mix
  -- an old route's list with the new one index by index.
  if compat.at_least(11) and vim.lsp.config then
    local cfg = vim.lsp.config[M.name]
    if cfg then
      cfg.settings = { switchyard = settings }
      cfg.init_options = settings
      vim.lsp.config[M.name] = cfg
    end
  end
  return n
end

--- The commands the server offers through workspace/executeCommand.
function M.server_commands(client)
  local caps = client and client.server_capabilities or {}
  local p = caps.executeCommandProvider
  if type(p) ~= "table" then
    return {}
  end
  return p.commands or {}
end

return M
