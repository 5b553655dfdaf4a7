-- A small test harness for headless Neovim, driven by the Go tests in
-- editors/neovim_test.go. Results go to the JSON file named by
-- $SWITCHYARD_TEST_OUT; the Go side asserts on them.
--
-- Scenarios run in a coroutine: H.wait and H.sleep yield to Neovim's event
-- loop (through timers), so typed keys, LSP replies and autocommands are
-- processed between steps just as when a person types.
local H = {}

function H.fail(msg, level)
  error(msg, (level or 1) + 1)
end

function H.eq(want, got, what)
  if not vim.deep_equal(want, got) then
    H.fail(("%s: want %s, got %s"):format(what or "value", vim.inspect(want), vim.inspect(got)), 2)
  end
end

function H.truthy(v, what)
  if not v then
    H.fail((what or "value") .. ": want true, got " .. vim.inspect(v), 2)
  end
end

local co

--- Yields for ms milliseconds of event processing.
function H.sleep(ms)
  local me = co
  vim.defer_fn(function()
    local ok, err = coroutine.resume(me)
    if not ok then
      H.results.error = debug.traceback(me, err)
      H.finish(H.results)
    end
  end, ms)
  coroutine.yield()
end

--- Yields until cond() is true, for at most ms milliseconds.
function H.wait(cond, ms, what)
  local deadline = vim.loop.now() + ms
  while true do
    local ok, v = pcall(cond)
    if ok and v then
      return v
    end
    if vim.loop.now() > deadline then
      H.fail(("timed out after %d ms waiting for %s"):format(ms, what or "a condition"), 2)
    end
    H.sleep(20)
  end
end

--- Types keys (with <Key> notation) as if from the keyboard, mappings
--- included, and lets Neovim process them.
function H.type(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), "mt", false)
  H.sleep(30)
end

local finished = false

--- Writes the results and quits Neovim.
function H.finish(results)
  if finished then
    return
  end
  finished = true
  local path = os.getenv("SWITCHYARD_TEST_OUT")
  local f = assert(io.open(path, "w"))
  f:write(vim.json.encode(results))
  f:close()
  vim.schedule(function()
    vim.cmd("qall!")
  end)
end

-- What a scenario has found so far; on an error it is reported with the
-- error, so a failure shows how far the scenario got.
H.results = {}

--- Runs fn in a coroutine; what it returns (a table, else H.results) is
--- the result; an error is added to H.results as error = traceback.
function H.run(fn)
  co = coroutine.create(function()
    local ok, res = xpcall(fn, debug.traceback)
    if ok then
      H.finish(res or H.results)
    else
      H.results.error = res
      H.finish(H.results)
    end
  end)
  vim.schedule(function()
    local ok, err = coroutine.resume(co)
    if not ok then
      H.finish({ error = tostring(err) })
    end
  end)
end

--- Options that keep typed keys as typed and the screen free of prompts:
--- no indenting, no swap file, no intro message.
function H.plain_editor()
  vim.cmd("filetype indent off")
  vim.o.autoindent = false
  vim.o.swapfile = false
  vim.o.shortmess = vim.o.shortmess .. "I"
end

--- The lines of bufnr.
function H.lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

--- Opens $SWITCHYARD_TEST_FILE and waits for the server to start and attach
--- to it; returns the buffer and the client.
function H.open_attached()
  local client = require("switchyard.client")
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("SWITCHYARD_TEST_FILE")))
  local buf = vim.api.nvim_get_current_buf()
  local c = H.wait(function()
    local cl = client.get(buf)
    return cl and cl.initialized and cl.attached_buffers[buf] and cl
  end, 10000, "the server to start and attach")
  return buf, c
end

--- Captures vim.notify messages into a list.
function H.capture_notify()
  local seen = {}
  vim.notify = function(msg, level)
    seen[#seen + 1] = { msg = msg, level = level }
  end
  return seen
end

return H
