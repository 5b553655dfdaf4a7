-- Version checks and the few Neovim APIs whose shape changed between 0.7
-- and 0.12. Every other module asks here instead of calling vim.fn.has
-- itself, so the unit tests can stub one function and run the code paths
-- of newer versions inside Debian's 0.7.2.
local M = {}

--- Reports whether Neovim is at least 0.{minor}.
---@param minor integer
---@return boolean
function M.at_least(minor)
  return vim.fn.has("nvim-0." .. minor) == 1
end

--- The clients named `name`: vim.lsp.get_clients (0.10+), else
--- get_active_clients, which only takes a filter from 0.8 on.
---@param name string
---@return table[]
function M.clients(name)
  local all
  if M.at_least(10) and vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = name })
  elseif M.at_least(8) then
    return vim.lsp.get_active_clients({ name = name })
  end
  all = vim.lsp.get_active_clients()
  local out = {}
  for _, c in ipairs(all) do
    if c.name == name then
      out[#out + 1] = c
    end
  end
  return out
end

-- Client methods became real methods in 0.11 (client:request); the dot
-- forms still work there but are deprecated, so each version gets its own.

function M.request(client, method, params, handler, bufnr)
  if M.at_least(11) then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.notify(client, method, params)
  if M.at_least(11) then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

function M.cancel_request(client, id)
  if M.at_least(11) then
    return client:cancel_request(id)
  end
  return client.cancel_request(id)
end

--- The settings tables a client answers workspace/configuration from:
--- client.config.settings up to 0.9, client.settings from 0.10 (which
--- vim.lsp.config copies, so both are updated).
---@return table[]
function M.settings_tables(client)
  local out = {}
  if type(client.settings) == "table" then
    out[#out + 1] = client.settings
  end
  if type(client.config) == "table" then
    client.config.settings = client.config.settings or {}
    if client.config.settings ~= client.settings then
      out[#out + 1] = client.config.settings
    end
  end
  return out
end

--- A timer from vim.uv (0.10+) or vim.loop.
function M.new_timer()
  local uv = vim.uv or vim.loop
  return uv.new_timer()
end

return M
