-- A debounced, cancellable request per buffer and what it shows: the part
-- that ghost text (ghost.lua) and next-edit suggestions (nextedit.lua) have
-- in common. Each keeps, for every attached buffer, the client, a debounce
-- timer, the id of the request in flight and what is shown (st.shown); each
-- draws and hides what it shows itself, through the clear function given
-- to new().
--
-- An answer reaches its handler only while its request is still the one
-- in flight: a newer request, a dismiss or a keystroke supersedes it, so a
-- late answer never lands on newer typing.
local compat = require("switchyard.compat")

local api = vim.api

local Set = {}
Set.__index = Set

local M = {}

--- A set of per-buffer states.
---@param name string augroups are named "switchyard_<name>_<bufnr>"
---@param clear function(bufnr): boolean hides what is shown in bufnr
function M.new(name, clear)
  return setmetatable({ name = name, clear = clear, bufs = {} }, Set)
end

-- bufnr, with nil or 0 meaning the current buffer.
function M.buffer(bufnr)
  return (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
end

--- The state of bufnr: {client_id, timer, pending, shown, ...}, or nil.
function Set:get(bufnr)
  return self.bufs[bufnr]
end

function Set:attached(bufnr)
  return self.bufs[bufnr] ~= nil
end

--- Stops the debounce and cancels the request in flight ($/cancelRequest).
function M.cancel(st)
  if st.timer then
    st.timer:stop()
  end
  if st.pending then
    local client = vim.lsp.get_client_by_id(st.client_id)
    if client then
      pcall(compat.cancel_request, client, st.pending)
    end
    st.pending = nil
  end
end

--- Hides what is shown and forgets any request in flight.
function Set:dismiss(bufnr)
  bufnr = M.buffer(bufnr)
  local st = self.bufs[bufnr]
  if not st then
    return false
  end
  M.cancel(st)
  return self.clear(bufnr)
end

--- Whether something is shown in bufnr (default: current buffer).
function Set:visible(bufnr)
  bufnr = M.buffer(bufnr)
  local st = self.bufs[bufnr]
  return st ~= nil and st.shown ~= nil
end

--- What is shown in bufnr.
function Set:shown(bufnr)
  local st = self.bufs[bufnr]
  return st and st.shown
end

--- Sends method for st's buffer through client, after cancelling the one in
--- flight; handle(err, result) runs on the main loop, and only if no newer
--- request, dismiss or change superseded this one.
function M.send(st, client, method, params, bufnr, handle)
  M.cancel(st)
  local id
  local function done(err, result)
    if st.pending ~= id then
      return -- superseded or cancelled
    end
    st.pending = nil
    handle(err, result)
  end
  local ok, rid = compat.request(client, method, params, function(err, result)
    if vim.in_fast_event() then
      vim.schedule(function()
        done(err, result)
      end)
    else
      done(err, result)
    end
  end, bufnr)
  if ok then
    id = rid
    st.pending = rid
  end
end

--- A change in bufnr: hides what is shown, cancels, and, when enabled(st),
--- runs request() after ms milliseconds unless another change comes first.
---@param enabled function(st): boolean
---@param ms function(): number
---@param request function()
function Set:on_change(bufnr, enabled, ms, request)
  local st = self.bufs[bufnr]
  if not st then
    return
  end
  M.cancel(st)
  self.clear(bufnr)
  if not enabled(st) then
    return
  end
  st.timer = st.timer or compat.new_timer()
  st.timer:start(
    ms(),
    0,
    vim.schedule_wrap(function()
      if self.bufs[bufnr] == st then
        request()
      end
    end)
  )
end

--- Starts bufnr for client with state st (client_id is set here) and the
--- autocommands in autocmds, a list of {events, callback}; unloading the
--- buffer detaches it. An attached buffer only takes the new client.
---@return table st
function Set:attach(client, bufnr, st, autocmds)
  if self.bufs[bufnr] then
    self.bufs[bufnr].client_id = client.id
    return self.bufs[bufnr]
  end
  st.client_id = client.id
  self.bufs[bufnr] = st
  local group = api.nvim_create_augroup(self:group(bufnr), { clear = true })
  autocmds[#autocmds + 1] = {
    { "BufUnload", "BufWipeout" },
    function()
      self:detach(bufnr)
    end,
  }
  for _, a in ipairs(autocmds) do
    api.nvim_create_autocmd(a[1], { group = group, buffer = bufnr, callback = a[2] })
  end
  return st
end

function Set:group(bufnr)
  return "switchyard_" .. self.name .. "_" .. bufnr
end

--- Stops bufnr: cancels, hides, and removes its timer and autocommands.
function Set:detach(bufnr)
  local st = self.bufs[bufnr]
  if not st then
    return
  end
  M.cancel(st)
  self.clear(bufnr)
  if st.timer then
    st.timer:close()
  end
  self.bufs[bufnr] = nil
  pcall(api.nvim_del_augroup_by_name, self:group(bufnr))
end

--- Calls fn(bufnr, st) for every attached buffer.
function Set:each(fn)
  for bufnr, st in pairs(self.bufs) do
    fn(bufnr, st)
  end
end

return M
