package io.celaest.api.identity;

import java.util.List;

/** One page of a list; {@code nextCursor} is null on the last page. */
public record ApiKeyPage(List<ApiKeyView> items, String nextCursor) {
}
