-- Code actions and server commands. The server lists its actions with
-- textDocument/codeAction (vim.lsp.buf.code_action() shows them); those
-- that need words from the user (Rewrite selection, Refactor across
-- files) come as the command switchyard.runAction with no instruction.
-- This module is the client-side handler of that command: it asks for
-- the instruction (and a refactor's scope) with vim.ui, then sends
-- workspace/executeCommand. The server answers with workspace/applyEdit,
-- which Neovim applies as one undoable change.
local compat = require("switchyard.compat")

local M = {}

M.RUN_ACTION = "switchyard.runAction"

-- Actions whose run fails without an instruction.
M.needs_instruction = { rewrite = true, refactor = true }

-- Refactor scopes, the server's assist.Scope values, widest last.
M.scopes = { "package", "file", "workspace" }

local function warn(msg)
  vim.notify("Switchyard: " .. msg, vim.log.levels.WARN)
end

--- Sends workspace/executeCommand for command with data as its argument;
--- on_result, if given, receives the result when it succeeded.
function M.execute(client, command, data, bufnr, on_result)
  return compat.request(client, "workspace/executeCommand", {
    command = command,
    arguments = { data },
  }, function(err, result)
    if err then
      warn((data.title or data.action or command) .. " failed: " .. (err.message or vim.inspect(err)))
    elseif on_result then
      on_result(result)
    end
  end, bufnr)
end

--- Completes data with what the user must say, then calls done(data);
--- done is not called when the user cancels.
function M.ask(data, done)
  if not M.needs_instruction[data.action] or (data.instruction and data.instruction ~= "") then
    return done(data)
  end
  vim.ui.input({ prompt = (data.title or data.action) .. ": what should change? " }, function(text)
    if not text or vim.trim(text) == "" then
      return
    end
    data.instruction = text
    if data.action ~= "refactor" or data.scope then
      return done(data)
    end
    vim.ui.select(M.scopes, { prompt = "Refactor across" }, function(scope)
      if not scope then
        return
      end
      data.scope = scope
      done(data)
    end)
  end)
end

--- The handler of switchyard.runAction for vim.lsp's client commands:
--- called as fn(command, ctx) when a listed code action is picked.
function M.run_action(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local data = command.arguments and command.arguments[1]
  if not client or type(data) ~= "table" then
    warn("cannot run " .. tostring(command.command) .. ": " .. (client and "it carries no action" or "the server is gone"))
    return
  end
  M.ask(data, function(d)
    M.execute(client, command.command, d, ctx.bufnr)
  end)
end

--- Gives a client of Neovim 0.7 to 0.9 the fallback 0.10 has when
--- resolving a code action fails: run the action's command instead of
--- showing the error. Those versions send codeAction/resolve for every
--- action without an edit, also for one that carries a command, and the
--- server cannot resolve an action it listed as a command.
function M.resolve_fallback(client)
  local request = client.request
  client.request = function(method, params, handler, bufnr)
    if method == "codeAction/resolve" and type(params) == "table" and params.command and handler then
      local inner = handler
      handler = function(err, result, ctx, config)
        if err then
          return inner(nil, params, ctx, config)
        end
        return inner(err, result, ctx, config)
      end
    end
    return request(method, params, handler, bufnr)
  end
end

return M
