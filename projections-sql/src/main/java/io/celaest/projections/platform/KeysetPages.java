package io.celaest.projections.platform;

import io.celaest.api.platform.PageRequest;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Keyset pagination over ({@code <time column>}, id): stable under concurrent inserts, O(page) at any depth. The
 * select must end in a WHERE clause (conditions are appended with AND); its parameters come first.
 */
public final class KeysetPages {

    private KeysetPages() {
    }

    public static <T, P> P page(BiFunction<List<T>, String, P> pageOf, JdbcClient jdbc, String select,
                                List<Object> selectParams, String timeColumn, boolean newestFirst, PageRequest page,
                                RowMapper<T> mapper, Function<T, Instant> timeOf, Function<T, UUID> idOf) {
        List<Object> params = new ArrayList<>(selectParams);
        StringBuilder sql = new StringBuilder(select);
        if (page.cursor() != null) {
            Cursor after = Cursor.decode(page.cursor());
            sql.append(" AND (").append(timeColumn).append(", id) ").append(newestFirst ? "<" : ">").append(" (?, ?)");
            params.add(Timestamp.from(after.createdAt()));
            params.add(after.id());
        }
        String direction = newestFirst ? " DESC" : "";
        sql.append(" ORDER BY ").append(timeColumn).append(direction).append(", id").append(direction).append(" LIMIT ?");
        params.add(page.limit() + 1);
        List<T> rows = jdbc.sql(sql.toString()).params(params).query(mapper).list();
        if (rows.size() <= page.limit()) {
            return pageOf.apply(rows, null);
        }
        List<T> items = rows.subList(0, page.limit());
        T last = items.get(items.size() - 1);
        return pageOf.apply(List.copyOf(items), new Cursor(timeOf.apply(last), idOf.apply(last)).encode());
    }
}
