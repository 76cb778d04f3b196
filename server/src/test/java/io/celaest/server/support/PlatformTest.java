package io.celaest.server.support;

import io.celaest.server.CelaestApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Base of every end-to-end test: the whole server on a random port against the real PostgreSQL that
 * {@code ./celaest test} brings up (CELAEST_TEST_DB_*). All test classes share one application context.
 */
@SpringBootTest(classes = CelaestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class PlatformTest {

    public static final String ADMIN_KEY = "cel_test_platform_admin_key_0123456789abcdefghijklmnop";
    /** Test-only secrets, the same on every node a test starts (as CELAEST_* must be in production). */
    public static final String MASTER_KEY = "ytbDPdIbwR6djUpeH5OiAKIwLSH3CbK1AJBBtLIIu8E=";
    public static final String AUDIT_SIGNING_KEY = "MC4CAQAwBQYDK2VwBCIEIGIDB4HBi63+oETTyzP5f2oftnjlOglcNiNqCUhn2SAe";

    @LocalServerPort
    protected int port;

    protected final TestDatabase database = new TestDatabase();

    private Api api;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) throws Exception {
        registry.add("spring.datasource.url", TestDatabase::url);
        registry.add("spring.datasource.username", TestDatabase::user);
        registry.add("spring.datasource.password", TestDatabase::password);
        registry.add("celaest.admin-api-key", () -> ADMIN_KEY);
        registry.add("celaest.master-key", () -> MASTER_KEY);
        registry.add("celaest.audit.signing-key", () -> AUDIT_SIGNING_KEY);
        Path home = Files.createTempDirectory("celaest-test-home");
        registry.add("celaest.home", home::toString);
    }

    protected Api api() {
        if (api == null) {
            api = new Api("http://localhost:" + port);
        }
        return api;
    }

    protected Api.Response asAdmin(String method, String path, Object body) {
        return api().call(method, path, ADMIN_KEY, body);
    }
}
