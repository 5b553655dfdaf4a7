-- :checkhealth switchyard. The reporting functions moved twice:
-- health#report_* (Vimscript) up to 0.7, vim.health.report_* in 0.8 and
-- 0.9, vim.health.start/ok/warn/error/info from 0.10.
local compat = require("switchyard.compat")

local M = {}

--- The reporting functions of this Neovim as {start, ok, warn, error, info}.
function M.reporter()
  if compat.at_least(10) then
    local h = vim.health
    return { start = h.start, ok = h.ok, warn = h.warn, error = h.error, info = h.info }
  end
  if compat.at_least(8) then
    local h = vim.health
    return { start = h.report_start, ok = h.report_ok, warn = h.report_warn, error = h.report_error, info = h.report_info }
  end
  local fn = vim.fn
  return {
    start = fn["health#report_start"],
    ok = fn["health#report_ok"],
    -- The Vimscript functions take advice as an optional list; the Lua
    -- ones as varargs. Both are called with (msg, {advice...}) here.
    warn = function(msg, advice)
      fn["health#report_warn"](msg, advice or {})
    end,
    error = function(msg, advice)
      fn["health#report_error"](msg, advice or {})
    end,
    info = fn["health#report_info"],
  }
end

function M.check()
  local r = M.reporter()
  local sy = require("switchyard")
  local client = require("switchyard.client")
  local config = require("switchyard.config")
  local status = require("switchyard.status")

  r.start("switchyard: Neovim")
  local v = vim.version()
  local ver = ("%d.%d.%d"):format(v.major, v.minor, v.patch)
  if not compat.at_least(7) then
    r.error("Neovim " .. ver .. " is too old", { "Switchyard needs Neovim 0.7 or newer" })
    return
  end
  r.ok("Neovim " .. ver)
  local mode = sy.ghost_mode()
  if mode == "native" then
    r.ok("ghost text: vim.lsp.inline_completion (built in)")
  elseif mode == "plugin" then
    r.ok("ghost text: the plugin's renderer (Neovim before 0.12)")
  else
    r.info("ghost text: off (ghost_text.enabled = false); completions still come in the completion menu")
  end

  r.start("switchyard: setup")
  local o = sy.options
  if not o then
    r.error("require('switchyard').setup() has not been called", { "call it from your init.lua; see :help switchyard" })
    return
  end
  r.ok("setup() was called")

  local cmd = config.command(o)
  local exe = cmd[1]
  if vim.fn.executable(exe) == 1 then
    local out = vim.fn.system({ exe, "version" })
    if vim.v.shell_error == 0 then
      r.ok(("server: %s (%s)"):format(vim.fn.exepath(exe), vim.trim(out)))
    else
      r.error(("server: %s version failed: %s"):format(exe, vim.trim(out)), { "check that cmd in setup() names the switchyard binary" })
    end
  else
    r.error(("server: %q is not an executable on $PATH"):format(exe), {
      "build it in the switchyard repository with: go build -o ~/.local/bin/switchyard ./cmd/switchyard",
      "or set cmd = { '/path/to/switchyard', 'serve', '--stdio' } in setup()",
    })
  end
  if o.config_file then
    local path = vim.fn.expand(o.config_file)
    if vim.fn.filereadable(path) == 1 then
      r.ok("config file: " .. path)
    else
      r.error("config file: cannot read " .. path, { "fix config_file in setup(), or remove it to use the default location" })
    end
  end

  local settings = client.settings()
  local models = config.models(settings)
  if #models > 0 then
    local names = {}
    for _, m in ipairs(models) do
      names[#names + 1] = m.name
    end
    r.ok("models given to setup(): " .. table.concat(names, ", "))
  else
    r.info("no models given to setup(): the server uses those of your switchyard config.toml")
  end

  r.start("switchyard: server")
  local clients = client.clients()
  if #clients == 0 then
    r.warn("no switchyard server is running", {
      "open a file it serves (filetypes = " .. (o.filetypes and table.concat(o.filetypes, ", ") or "all") .. ")",
      "then read :LspLog for why it stopped, if it did",
    })
  end
  for _, c in ipairs(clients) do
    local bufs = 0
    for _ in pairs(c.attached_buffers or {}) do
      bufs = bufs + 1
    end
    r.ok(("client %d running for %d buffer(s), positions in %s"):format(c.id, bufs, c.offset_encoding or "utf-16"))
    local cmds = client.server_commands(c)
    if #cmds > 0 then
      r.info("server commands: " .. table.concat(cmds, ", "))
    else
      r.info("the server offers no commands yet: :Switchyard refactor and image say so when used")
    end
  end
  local s = status.current
  if s then
    if s.online then
      r.ok(("in use: model %s at provider %s, online"):format(s.model or "?", s.provider or "?"))
    else
      r.warn("offline: only local models are used", { "check the network, or the base_url of remote providers" })
    end
    if s.lastError then
      r.warn("last provider error: " .. s.lastError)
    end
  elseif #clients > 0 then
    r.info("no status from the server yet: it sends one after the first completion")
  end
end

return M
