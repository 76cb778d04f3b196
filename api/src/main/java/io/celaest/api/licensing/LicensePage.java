package io.celaest.api.licensing;

import java.util.List;

/** One page of a list; {@code nextCursor} is null on the last page. */
public record LicensePage(List<LicenseView> items, String nextCursor) {
}
