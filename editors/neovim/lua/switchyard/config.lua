-- Options of require("switchyard").setup(). The keys of the server's own
-- schema (config/schema.json) are written at the top level, exactly as in
-- the server's TOML file, and go to the server as initializationOptions and
-- as the "switchyard" settings section; the other keys tune the plugin.
local M = {}

-- Top-level keys of config/schema.json that editor settings may carry.
-- [trust] is left out: the server only reads it from the user's own file.
M.schema_keys = {
  providers = true,
  models = true,
  routes = true,
  completion = true,
  next_edit = true,
  policy = true,
  log = true,
}

-- The tasks of [routes], in the order the route picker shows them.
M.tasks = { "completion", "next_edit", "coding", "refactor", "image", "long_context" }

M.defaults = {
  -- How to start the server. config_file is passed as --config.
  cmd = { "switchyard", "serve", "--stdio" },
  config_file = nil,
  -- Start automatically for these filetypes; nil means every file buffer.
  filetypes = nil,
  exclude_filetypes = { "help", "qf", "man", "checkhealth", "lspinfo", "TelescopePrompt", "NvimTree", "lazy", "mason" },
  root_markers = { ".switchyard.toml", ".git" },
  autostart = true,
  -- Ghost text. On Neovim 0.12+ the built-in vim.lsp.inline_completion
  -- shows it; before, the plugin's own renderer does, requesting after
  -- debounce_ms without typing (the server adds its completion.debounce).
  ghost_text = {
    enabled = true,
    debounce_ms = 50,
    hl_group = "SwitchyardGhostText",
  },
  -- Insert-mode keys; false switches one off.
  keymaps = {
    accept = "<M-CR>",
    accept_tab = true, -- <Tab> accepts while ghost text is shown, else inserts a tab
    dismiss = "<C-]>",
    trigger = "<M-\\>", -- ask now, without the debounce
    -- Insert and normal mode, only while a next-edit suggestion is shown
    -- (next_edit = { enabled = true }): go to it, then apply it; else the
    -- key keeps its own meaning.
    next_edit = "<Tab>",
  },
  -- Called as on_attach(client, bufnr) after the plugin's own set-up.
  on_attach = nil,
  -- Server-side command names, looked up in the server's
  -- executeCommandProvider; a command it does not list is reported as not
  -- available yet instead of being sent.
  commands = {
    run_action = "switchyard.runAction",
    image = "switchyard.implementFromImage",
  },
  -- The scope :Switchyard refactor offers first.
  refactor_scope = "package",
  -- statusline(): a function(status) returning a string overrides the
  -- default rendering.
  statusline = nil,
}

-- vim.islist is 0.10's name for vim.tbl_islist, which it deprecates.
local is_list = vim.islist or vim.tbl_islist

--- Removes empty tables, recursively. Lua has one empty table for both []
--- and {}, and vim.json encodes it as [], which the server rejects where it
--- expects an object; an empty list and an absent key mean the same to it.
---@param v any
---@return any
function M.clean(v)
  if type(v) ~= "table" then
    return v
  end
  if is_list(v) and #v > 0 then
    local out = {}
    for i, x in ipairs(v) do
      out[i] = M.clean(x)
    end
    return out
  end
  local out, any = {}, false
  for k, x in pairs(v) do
    local c = M.clean(x)
    if c ~= nil then
      out[k] = c
      any = true
    end
  end
  if not any then
    return nil
  end
  return out
end

--- Splits setup() options into the plugin's options and the server's
--- settings. Unknown keys come back as messages rather than errors, so a
--- typo does not stop the editor from starting.
---@param user table|nil
---@return table opts, table settings, string[] problems
function M.resolve(user)
  user = user or {}
  local problems = {}
  local opts = vim.deepcopy(M.defaults)
  local settings = {}
  for k, v in pairs(user) do
    if M.schema_keys[k] then
      settings[k] = vim.deepcopy(v)
    elseif k == "trust" then
      problems[#problems + 1] = "trust is ignored in editor settings: list trusted folders in your own switchyard config.toml"
    elseif M.defaults[k] ~= nil or k == "config_file" or k == "filetypes" or k == "on_attach" or k == "statusline" then
      if type(v) == "table" and type(opts[k]) == "table" and not is_list(v) then
        opts[k] = vim.tbl_deep_extend("force", opts[k], v)
      else
        opts[k] = v
      end
    else
      problems[#problems + 1] = ("unknown option %q: see :help switchyard-options"):format(k)
    end
  end
  if type(opts.cmd) == "string" then
    opts.cmd = { opts.cmd, "serve", "--stdio" }
  end
  return opts, M.clean(settings) or {}, problems
end

--- The command line that starts the server.
---@param opts table
---@return string[]
function M.command(opts)
  local cmd = vim.deepcopy(opts.cmd)
  if opts.config_file then
    cmd[#cmd + 1] = "--config"
    cmd[#cmd + 1] = vim.fn.expand(opts.config_file)
  end
  return cmd
end

--- The models of a task's route, in order; {} when the route is unset.
function M.route(settings, task)
  local routes = settings.routes or {}
  return vim.deepcopy(routes[task] or {})
end

--- Returns settings with `model` first in the route for `task`, the rest
--- of the route keeping its order as fallbacks.
---@return table
function M.prefer_model(settings, task, model)
  local out = vim.deepcopy(settings)
  local route = { model }
  for _, m in ipairs(M.route(settings, task)) do
    if m ~= model then
      route[#route + 1] = m
    end
  end
  out.routes = out.routes or {}
  out.routes[task] = route
  return out
end

--- Returns settings with `route` as the route for `task`.
function M.set_route(settings, task, route)
  local out = vim.deepcopy(settings)
  out.routes = out.routes or {}
  out.routes[task] = route
  return M.clean(out) or {}
end

--- The models defined in settings, sorted, each as {name, provider, classes}.
function M.models(settings)
  local out = {}
  for name, m in pairs(settings.models or {}) do
    out[#out + 1] = { name = name, provider = m.provider, id = m.id, classes = m.classes or {} }
  end
  table.sort(out, function(a, b)
    return a.name < b.name
  end)
  return out
end

--- The providers defined in settings, sorted by name.
function M.providers(settings)
  local out = {}
  for name, p in pairs(settings.providers or {}) do
    out[#out + 1] = { name = name, type = p.type, base_url = p.base_url }
  end
  table.sort(out, function(a, b)
    return a.name < b.name
  end)
  return out
end

--- Returns settings where every route lists the models served by
--- `provider` first (in their current order), and the tasks whose route
--- has none of its models. A route that does not exist yet for completion
--- gets the provider's models that have the completion class.
---@return table settings, string[] untouched
function M.prefer_provider(settings, provider)
  local out = vim.deepcopy(settings)
  local models = settings.models or {}
  local function served(name)
    return models[name] ~= nil and models[name].provider == provider
  end
  out.routes = out.routes or {}
  local untouched = {}
  if out.routes.completion == nil then
    local route = {}
    for _, m in ipairs(M.models(settings)) do
      if m.provider == provider and vim.tbl_contains(m.classes, "completion") then
        route[#route + 1] = m.name
      end
    end
    if #route > 0 then
      out.routes.completion = route
    end
  end
  local tasks = vim.tbl_keys(out.routes)
  table.sort(tasks)
  for _, task in ipairs(tasks) do
    local first, rest = {}, {}
    for _, m in ipairs(out.routes[task]) do
      if served(m) then
        first[#first + 1] = m
      else
        rest[#rest + 1] = m
      end
    end
    if #first == 0 then
      untouched[#untouched + 1] = task
    end
    out.routes[task] = vim.list_extend(first, rest)
  end
  return out, untouched
end

return M
