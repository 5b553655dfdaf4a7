-- :Switchyard {model|provider|route|status|refactor|image|toggle|nextedit}.
-- Pickers use vim.ui.select and vim.ui.input, so whatever the user has put
-- behind them (telescope, dressing, fzf-lua) is used.
local config = require("switchyard.config")
local client = require("switchyard.client")
local status = require("switchyard.status")

local M = {}

local api = vim.api

local function info(msg)
  vim.notify("Switchyard: " .. msg, vim.log.levels.INFO)
end

local function warn(msg)
  vim.notify("Switchyard: " .. msg, vim.log.levels.WARN)
end

local function sy()
  return require("switchyard")
end

local function running()
  if #client.clients() == 0 then
    warn("the server is not running: open a file it serves, or see :checkhealth switchyard")
    return false
  end
  return true
end

-- Tells the user what a settings change did, and whether a server heard it.
local function applied(what, told)
  if told == 0 then
    info(what .. " (no server running yet: it starts with these settings)")
  else
    info(what)
  end
end

local function route_text(task)
  local r = config.route(client.settings(), task)
  if #r == 0 then
    return "(not set in setup(); the server's own configuration decides)"
  end
  return table.concat(r, ", ")
end

local function split_words(s)
  local out = {}
  for w in s:gmatch("[^,%s]+") do
    out[#out + 1] = w
  end
  return out
end

--- :Switchyard model [NAME] [TASK]
function M.model(args)
  local task = args[2] or "completion"
  local function apply(name)
    if not name or name == "" then
      return
    end
    local known = (client.settings().models or {})[name] ~= nil
    local told = sy().use_model(name, task)
    local msg = ("%s now uses model %s first (route: %s)"):format(task, name, route_text(task))
    if not known then
      msg = msg .. "; it is not among the models given to setup(), so your config.toml must define it"
    end
    applied(msg, told)
  end
  if args[1] then
    return apply(args[1])
  end
  local models = config.models(client.settings())
  if #models == 0 then
    vim.ui.input({ prompt = "Model for " .. task .. " (a name from your switchyard config): " }, apply)
    return
  end
  vim.ui.select(models, {
    prompt = "Switchyard model for " .. task,
    format_item = function(m)
      local classes = #m.classes > 0 and (" [" .. table.concat(m.classes, ", ") .. "]") or ""
      return ("%s  %s via %s%s"):format(m.name, m.id or "?", m.provider or "?", classes)
    end,
  }, function(choice)
    if choice then
      apply(choice.name)
    end
  end)
end

--- :Switchyard provider [NAME]
function M.provider(args)
  local function apply(name)
    if not name or name == "" then
      return
    end
    local untouched = sy().use_provider(name)
    local msg = "routes now prefer models served by " .. name
    if #untouched > 0 then
      msg = msg .. "; it serves no model on the route for " .. table.concat(untouched, ", ")
    end
    applied(msg, #client.clients())
  end
  if args[1] then
    return apply(args[1])
  end
  local providers = config.providers(client.settings())
  if #providers == 0 then
    vim.ui.input({ prompt = "Provider (a name from your switchyard config): " }, apply)
    return
  end
  vim.ui.select(providers, {
    prompt = "Switchyard provider",
    format_item = function(p)
      return ("%s  (%s%s)"):format(p.name, p.type or "?", p.base_url and (" at " .. p.base_url) or "")
    end,
  }, function(choice)
    if choice then
      apply(choice.name)
    end
  end)
end

--- :Switchyard route [TASK [MODEL...]]
function M.route(args)
  local function edit(task)
    if not task then
      return
    end
    local function apply(text)
      if text == nil then
        return
      end
      local told = sy().set_settings(config.set_route(client.settings(), task, split_words(text)))
      applied(("route for %s: %s"):format(task, route_text(task)), told)
    end
    if #args > 1 then
      return apply(table.concat(args, " ", 2))
    end
    vim.ui.input({
      prompt = "Models for " .. task .. ", in order of preference: ",
      default = table.concat(config.route(client.settings(), task), ", "),
    }, apply)
  end
  if args[1] then
    return edit(args[1])
  end
  vim.ui.select(config.tasks, {
    prompt = "Switchyard route for which work",
    format_item = function(t)
      return ("%-13s %s"):format(t, route_text(t))
    end,
  }, edit)
end

--- :Switchyard status
function M.status()
  local lines = status.describe()
  local clients = client.clients()
  if #clients == 0 then
    lines[#lines + 1] = "server: not running"
  else
    for _, c in ipairs(clients) do
      lines[#lines + 1] = ("server: client %d, root %s"):format(c.id, c.config and c.config.root_dir or "?")
    end
  end
  lines[#lines + 1] = "ghost text: " .. sy().ghost_mode()
  for _, task in ipairs(config.tasks) do
    local r = config.route(client.settings(), task)
    if #r > 0 then
      lines[#lines + 1] = ("route %s: %s"):format(task, table.concat(r, ", "))
    end
  end
  vim.notify("Switchyard\n" .. table.concat(lines, "\n"), vim.log.levels.INFO)
  return lines
end

-- Sends workspace/executeCommand for the server command options.commands[key]
-- if the server offers it; otherwise says that it does not, yet.
-- on_result, if given, receives the command's result.
local function server_command(key, data, title, on_result)
  local c = client.get(0)
  if not c then
    return running()
  end
  local name = require("switchyard").options.commands[key]
  if not vim.tbl_contains(client.server_commands(c), name) then
    warn(("%s is not available: this switchyard server does not offer the %q command yet; update it"):format(title, name))
    return false
  end
  require("switchyard.actions").execute(c, name, data, api.nvim_get_current_buf(), on_result)
  return true
end

local function range_of(opts)
  local bufnr = api.nvim_get_current_buf()
  local first, last = opts.line1 - 1, opts.line2 - 1
  local last_line = api.nvim_buf_get_lines(bufnr, last, last + 1, false)[1] or ""
  return {
    start = { line = first, character = 0 },
    ["end"] = { line = last, character = #last_line },
  }
end

--- :[range]Switchyard refactor [INSTRUCTION]: the server's "refactor"
--- action (switchyard.runAction) over the range, across the files of
--- the scope picked.
function M.refactor(_, opts)
  local actions = require("switchyard.actions")
  local data = {
    action = "refactor",
    title = "Refactor",
    uri = vim.uri_from_bufnr(0),
    range = range_of(opts),
    instruction = opts.rest ~= "" and opts.rest or nil,
  }
  if data.instruction then
    data.scope = require("switchyard").options.refactor_scope
  end
  actions.ask(data, function(d)
    server_command("run_action", d, "Refactor")
  end)
end

--- :[range]Switchyard image [FILE] [FRAMEWORK]: implement the screen in
--- an image file (switchyard.implementFromImage): over the range when one
--- is given, else in a new component file, which is then opened.
function M.image(args, opts)
  local function run(path)
    if not path or path == "" then
      return
    end
    path = vim.fn.fnamemodify(vim.fn.expand(path), ":p")
    if vim.fn.filereadable(path) == 0 then
      warn("cannot read the image " .. path)
      return
    end
    server_command("image", {
      image = path,
      uri = vim.uri_from_bufnr(0),
      range = (opts.range or 0) > 0 and range_of(opts) or nil,
      framework = args[2],
    }, "Implement from " .. vim.fn.fnamemodify(path, ":t"), function(result)
      if type(result) == "table" and result.uri then
        local file = vim.uri_to_fname(result.uri)
        info((result.created and "the code is in the new file " or "the code is in ") .. file)
        if result.created then
          vim.cmd("edit " .. vim.fn.fnameescape(file))
        end
      end
    end)
  end
  if args[1] then
    return run(args[1])
  end
  vim.ui.input({ prompt = "Image or mockup to implement: ", completion = "file" }, run)
end

local toggled_off = false

--- :Switchyard toggle: ghost text on or off.
function M.toggle()
  toggled_off = not toggled_off
  local mode = require("switchyard").ghost_mode()
  if mode == "native" then
    vim.lsp.inline_completion.enable(not toggled_off)
  else
    require("switchyard.ghost").set_enabled(not toggled_off)
  end
  info("ghost text " .. (toggled_off and "off" or "on"))
end

--- :Switchyard nextedit [accept|dismiss]: go to or apply the next-edit
--- suggestion shown (accept, the default), or hide it.
function M.nextedit(args)
  local what = args[1] or "accept"
  local ne = require("switchyard.nextedit")
  if what == "dismiss" then
    ne.dismiss(0)
    return
  end
  if what ~= "accept" then
    warn(("unknown nextedit action %q: use accept or dismiss"):format(what))
    return
  end
  if not ne.accept(0) then
    if not ne.enabled() then
      info("no next edit: next edits are off; turn them on with [next_edit] enabled = true in config.toml, or next_edit = { enabled = true } in setup()")
    else
      info("no next edit is shown")
    end
  end
end

M.subcommands = {
  model = M.model,
  provider = M.provider,
  route = M.route,
  status = M.status,
  refactor = M.refactor,
  image = M.image,
  toggle = M.toggle,
  nextedit = M.nextedit,
}

local function complete(arglead, line)
  local words = split_words(line:gsub("^%S+", "", 1))
  if line:match("%s$") then
    words[#words + 1] = ""
  end
  local candidates = {}
  if #words <= 1 then
    candidates = vim.tbl_keys(M.subcommands)
  elseif words[1] == "model" and #words == 2 then
    for _, m in ipairs(config.models(client.settings())) do
      candidates[#candidates + 1] = m.name
    end
  elseif (words[1] == "model" and #words == 3) or (words[1] == "route" and #words == 2) then
    candidates = vim.deepcopy(config.tasks)
  elseif words[1] == "route" then
    for _, m in ipairs(config.models(client.settings())) do
      candidates[#candidates + 1] = m.name
    end
  elseif words[1] == "provider" and #words == 2 then
    for _, p in ipairs(config.providers(client.settings())) do
      candidates[#candidates + 1] = p.name
    end
  elseif words[1] == "nextedit" and #words == 2 then
    candidates = { "accept", "dismiss" }
  elseif words[1] == "image" then
    return vim.fn.getcompletion(arglead, "file")
  end
  table.sort(candidates)
  return vim.tbl_filter(function(c)
    return c:sub(1, #arglead) == arglead
  end, candidates)
end

--- Defines :Switchyard.
function M.create()
  api.nvim_create_user_command("Switchyard", function(opts)
    local args = split_words(opts.args)
    local sub = table.remove(args, 1) or "status"
    local fn = M.subcommands[sub]
    if not fn then
      warn(("unknown subcommand %q: use one of %s"):format(sub, table.concat(vim.tbl_keys(M.subcommands), ", ")))
      return
    end
    -- The text after the subcommand as typed, commas and all.
    opts.rest = opts.args:gsub("^%s*%S+%s*", "", 1)
    fn(args, opts)
  end, {
    nargs = "*",
    range = true,
    complete = complete,
    desc = "Switchyard: model, provider, route, status, refactor, image, toggle, nextedit",
  })
end

return M
