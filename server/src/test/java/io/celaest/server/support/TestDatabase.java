package io.celaest.server.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The throwaway PostgreSQL of {@code ./celaest test}; running tests without it fails with directions. */
public class TestDatabase {

    public static String url() {
        return required("CELAEST_TEST_DB_URL");
    }

    public static String user() {
        return required("CELAEST_TEST_DB_USER");
    }

    public static String password() {
        return required("CELAEST_TEST_DB_PASSWORD");
    }

    /** A connection as the application's own database user (owner of the tables). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user(), password());
    }

    /** A connection as a PostgreSQL superuser, to prove row-level security holds even then. */
    public Connection connectAsSuperuser() throws SQLException {
        return DriverManager.getConnection(url(), required("CELAEST_TEST_SUPER_USER"),
                required("CELAEST_TEST_SUPER_PASSWORD"));
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run the tests with ./celaest test, which brings up "
                    + "a throwaway PostgreSQL and sets it");
        }
        return value;
    }
}
