package io.celaest.command.licensing;

import io.celaest.api.platform.TimeOrderedIds;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class LicenseKeysTest {

    @Test
    void generatedKeysAreGroupedCheckedAndUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String key = LicenseKeys.generate();
            assertThat(key).matches("[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){5}");
            assertThat(LicenseKeys.canonical(key)).contains(key.replace("-", ""));
            assertThat(seen.add(key)).isTrue();
        }
    }

    @Test
    void everySingleSymbolErrorAndAdjacentSwapFailsTheCheck() {
        String canonical = LicenseKeys.canonical(LicenseKeys.generate()).orElseThrow();
        for (int i = 0; i < canonical.length(); i++) {
            for (char c : LicenseKeys.ALPHABET.toCharArray()) {
                if (c != canonical.charAt(i)) {
                    String typo = canonical.substring(0, i) + c + canonical.substring(i + 1);
                    assertThat(LicenseKeys.canonical(typo)).as(typo).isEmpty();
                }
            }
        }
        int swaps = 0;
        int caught = 0;
        for (int i = 0; i + 1 < canonical.length(); i++) {
            if (canonical.charAt(i) != canonical.charAt(i + 1)) {
                swaps++;
                String swapped = canonical.substring(0, i) + canonical.charAt(i + 1) + canonical.charAt(i)
                        + canonical.substring(i + 2);
                caught += LicenseKeys.canonical(swapped).isEmpty() ? 1 : 0;
            }
        }
        assertThat(caught).isGreaterThanOrEqualTo(swaps - 2); // Luhn mod N misses only a few symbol pairs
    }

    @Test
    void clientsMayTypeKeysLooselyButNotLonger() {
        String key = LicenseKeys.generate();
        String loose = key.toLowerCase().replace("-", " ").replace('0', 'o').replace('1', 'l');
        assertThat(LicenseKeys.canonical(loose)).contains(key.replace("-", ""));
        assertThat(LicenseKeys.canonical(key + "0")).isEmpty();
        assertThat(LicenseKeys.canonical("")).isEmpty();
        assertThat(LicenseKeys.canonical(null)).isEmpty();
        assertThat(LicenseKeys.canonical(key.replace('-', '\u00e9'))).isEmpty();
    }

    @Test
    void theHotPathHashIsTheHashOfTheCanonicalForm() {
        String key = LicenseKeys.generate();
        byte[] expected = LicenseKeys.hash(key.replace("-", ""));
        assertThat(LicenseKeys.hashOfCanonical(key)).isEqualTo(expected);
        assertThat(LicenseKeys.hashOfCanonical(key.toLowerCase().replace('0', 'o'))).isEqualTo(expected);
        char last = key.charAt(key.length() - 1);
        assertThat(LicenseKeys.hashOfCanonical(key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A')))
                .isNull();
        assertThat(LicenseKeys.hashOfCanonical("not a key")).isNull();
        assertThat(LicenseKeys.hashOfCanonical(null)).isNull();
    }

    @Test
    void timeOrderedIdsAreVersion7AndSortByTime() {
        UUID earlier = TimeOrderedIds.forLogRow(1_700_000_000_000L);
        UUID later = TimeOrderedIds.forLogRow(1_700_000_000_001L);
        assertThat(earlier.version()).isEqualTo(7);
        assertThat(earlier.variant()).isEqualTo(2);
        assertThat(Long.compareUnsigned(earlier.getMostSignificantBits(), later.getMostSignificantBits())).isNegative();
        assertThat(earlier.getMostSignificantBits() >>> 16).isEqualTo(1_700_000_000_000L);
        UUID derived = TimeOrderedIds.derived(1_700_000_000_000L, "audit:event-1");
        assertThat(derived).isEqualTo(TimeOrderedIds.derived(1_700_000_000_000L, "audit:event-1"))
                .isNotEqualTo(TimeOrderedIds.derived(1_700_000_000_000L, "audit:event-2"));
        assertThat(derived.version()).isEqualTo(7);
        assertThat(derived.getMostSignificantBits() >>> 16).isEqualTo(1_700_000_000_000L);
        assertThat(TimeOrderedIds.next().version()).isEqualTo(7);
        assertThat(TimeOrderedIds.isTimeOrdered(TimeOrderedIds.next().toString())).isTrue();
        assertThat(TimeOrderedIds.isTimeOrdered(UUID.randomUUID().toString())).isFalse();
    }
}
