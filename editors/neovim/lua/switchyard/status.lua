-- What the server last said in its switchyard/status notification: the
-- model and provider in use, whether the machine is online, and the last
-- provider error. The statusline component renders it.
local M = {}

-- Fields as the server sends them (lsp Status). nextEdit is nil while
-- [next_edit] is off in the configuration in force, else {debounceMs=}.
M.current = nil -- {model=, provider=, online=, lastError=, nextEdit=}
M.running = false -- a client is attached somewhere

local format -- optional user renderer, set by setup

function M.set_format(fn)
  format = fn
end

local function str(v)
  if v == nil or v == vim.NIL then
    return nil
  end
  return tostring(v)
end

--- Handler for the switchyard/status notification (signature of 0.7+).
function M.handler(_, result, _, _)
  if type(result) ~= "table" then
    return
  end
  M.current = {
    model = str(result.model),
    provider = str(result.provider),
    online = result.online == true,
    lastError = str(result.lastError),
    nextEdit = type(result.nextEdit) == "table" and { debounceMs = tonumber(result.nextEdit.debounceMs) } or nil,
  }
  -- Redraw from the main loop: handlers may run inside a fast event.
  vim.schedule(function()
    pcall(vim.cmd, "redrawstatus")
    pcall(vim.api.nvim_exec_autocmds, "User", { pattern = "SwitchyardStatus", modeline = false })
  end)
end

--- The statusline text: "" before the server has said anything, so the
--- component takes no room in buffers the server does not serve.
---@return string
function M.statusline()
  local s = M.current
  if format then
    return format(s) or ""
  end
  if not s then
    return M.running and "switchyard" or ""
  end
  local text = "switchyard"
  if s.model then
    text = text .. " " .. s.model
    if s.provider then
      text = text .. "@" .. s.provider
    end
  end
  if not s.online then
    text = text .. " (offline)"
  end
  if s.lastError then
    text = text .. " !"
  end
  return text
end

--- Lines describing the status, for :Switchyard status.
---@return string[]
function M.describe()
  local s = M.current
  if not s then
    return { "no status from the server yet: it sends one after the first completion" }
  end
  local lines = {
    "model:    " .. (s.model or "(none picked yet)"),
    "provider: " .. (s.provider or "(none picked yet)"),
    "online:   " .. (s.online and "yes" or "no, only local models are used"),
  }
  if s.lastError then
    lines[#lines + 1] = "last error: " .. s.lastError
  end
  return lines
end

return M
