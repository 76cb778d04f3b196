package io.celaest.api.system;

import java.util.List;

/** One page of system events; {@code nextCursor} is null on the last page. */
public record SystemEventPage(List<SystemEventEntry> items, String nextCursor) {
}
