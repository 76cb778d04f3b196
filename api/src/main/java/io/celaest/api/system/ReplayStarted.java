package io.celaest.api.system;

/** The platform operator reset an event processor: its read model is being rebuilt from the event log. */
public record ReplayStarted(String processor, String nodeId) {
}
