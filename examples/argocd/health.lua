-- Argo CD health check for ramp's Rollout: the value of resource.customizations.health.ramp.dev_Rollout
-- in argocd-cm (examples/argocd/argocd-cm.yaml embeds this file verbatim). It reads only what ramp
-- writes to status (phase, message, conditions, observedGeneration) and the steps in spec.
--
-- It never answers Suspended. In a sync with waves or hooks, Argo CD waits for each resource to be
-- Healthy (or Degraded, which fails the sync); Suspended and Progressing keep the sync operation
-- running, and while it runs Argo CD starts no other sync, not even of the next commit.
--   * a timed pause step:              Progressing -- it ends on its own, like a Deployment rolling out;
--   * a pause that waits for a person  Healthy     -- an indefinite pause step, a blue-green preview
--     (kubectl ramp promote/resume,                   waiting for promotion, `kubectl ramp pause`,
--     or spec.paused in Git):                         spec.paused. The versions serve traffic as
--                                                     intended; promotion goes through ramp, not Git,
--                                                     so a non-Healthy answer would hold the sync (and
--                                                     the next commit, maybe a rollback) until then.
--                                                     The message says what it waits for;
--   * an inconclusive analysis:        Degraded    -- the analysis could not tell whether the new
--                                                     version is good; a person must promote or abort
--                                                     it, so Argo CD should show (and notify) a problem.
-- Written for Lua 5.1 (Argo CD's gopher-lua) and tested with Debian's lua5.4.
local hs = { status = "Progressing", message = "Waiting for ramp to report the Rollout's status" }

local function condition(name)
  if obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == name then
      return c
    end
  end
  return nil
end

-- The pause duration of the canary step the Rollout is at; nil for an indefinite pause.
local function stepPauseDuration()
  local strategy = obj.spec and obj.spec.strategy
  local canary = strategy and strategy.canary
  local index = obj.status.currentStepIndex
  if canary == nil or canary.steps == nil or index == nil then
    return nil
  end
  local step = canary.steps[index + 1]
  if step == nil or step.pause == nil then
    return nil
  end
  return step.pause.duration
end

if obj.status == nil or obj.status.phase == nil then
  return hs
end

-- A status older than the spec describes the previous version.
local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = string.format("Waiting for ramp to observe generation %d", generation)
  return hs
end

local name = obj.metadata.name
local phase = obj.status.phase
local message = obj.status.message or ""

if phase == "Healthy" then
  hs.status = "Healthy"
  hs.message = message
  return hs
end

if phase == "Degraded" then
  local stalled = condition("Stalled")
  hs.status = "Degraded"
  if stalled ~= nil and stalled.status == "True" and stalled.reason ~= nil then
    hs.message = stalled.reason .. ": " .. message
  else
    hs.message = message
  end
  return hs
end

if phase == "Paused" then
  local paused = condition("Paused")
  local reason = ""
  if paused ~= nil and paused.reason ~= nil then
    reason = paused.reason
  end
  if reason == "InconclusiveAnalysis" then
    hs.status = "Degraded"
    hs.message = "InconclusiveAnalysis: " .. message .. " (decide: kubectl ramp promote " .. name
      .. " or kubectl ramp abort " .. name .. ")"
    return hs
  end
  if obj.spec.paused == true or reason == "PausedInGit" then
    hs.status = "Healthy"
    hs.message = message .. " (set spec.paused to false in Git to continue)"
    return hs
  end
  if reason == "PausedByUser" then
    hs.status = "Healthy"
    hs.message = message .. " (kubectl ramp resume " .. name .. " to continue)"
    return hs
  end
  if stepPauseDuration() ~= nil then
    hs.status = "Progressing"
    hs.message = message
    return hs
  end
  hs.status = "Healthy"
  hs.message = message .. " (kubectl ramp promote " .. name .. " to continue)"
  return hs
end

-- Progressing: a new version is being shipped, or the stable version is being scaled.
hs.message = message
return hs
