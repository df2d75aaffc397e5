-- 50 clients booking over the same free slots (bench/run.py writes the slots and run id
-- in front of this file). Each request names a returning bench patient, so the visit type
-- needs no initial evaluation; 201 is a booking, 409 a slot someone else was quicker to.

local counter = 0

request = function()
  counter = counter + 1
  -- Threads walk the slots from different places, so clients race for the same slots.
  local slot = slots[((counter + id * 97) % #slots) + 1]
  local patient = returning[((counter * 7 + id * 1009) % #returning) + 1]
  local body = string.format(
    '{"appointment_type": %d, "therapist": %d, "start": "%s", "reason": "bench %s", '
      .. '"patient": {"name": "Bench Client", "email": "patient%06d@bench.stride.example", '
      .. '"phone": "555-0100"}}',
    appointment_type, slot[1], slot[2], run_id, patient)
  return wrk.format("POST", "/api/v1/bookings", nil, body)
end
