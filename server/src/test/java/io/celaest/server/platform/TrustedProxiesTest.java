package io.celaest.server.platform;

import io.celaest.server.platform.web.TrustedProxies;
import io.celaest.server.support.LoopbackClient;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The client IP every handler and servlet sees, on a real Jetty connector with the same customizer as the server. */
class TrustedProxiesTest {

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxiesAndOnlyAsAnAddress() throws Exception {
        try (Echo echo = new Echo("127\\.0\\.8\\.\\d+")) {
            assertThat(echo.clientIp("127.0.8.1", "198.51.100.7")).isEqualTo("198.51.100.7");
            // a proxy chain: trusted hops are skipped from the right, the first other address is the client
            assertThat(echo.clientIp("127.0.8.1", "203.0.113.5, 198.51.100.9, 127.0.8.2")).isEqualTo("198.51.100.9");
            assertThat(echo.clientIp("127.0.8.1", "2001:db8::1")).isEqualTo("2001:db8::1");   // as the proxy wrote it
            // a proxy that adds a header line of its own instead of appending: the client's line cannot win
            assertThat(LoopbackClient.post("127.0.8.1", echo.port, "/", "{}", "X-Forwarded-For", "1.2.3.4",
                    "X-Forwarded-For", "198.51.100.8").json().get("ip").asText()).isEqualTo("198.51.100.8");
            // an untrusted peer cannot choose its address
            assertThat(echo.clientIp("127.0.9.1", "198.51.100.7")).isEqualTo("127.0.9.1");
            // not an IP literal (and never looked up): the connection's address
            assertThat(echo.clientIp("127.0.8.1", "evil.example.com")).isEqualTo("127.0.8.1");
            assertThat(echo.clientIp("127.0.8.1", "cafe")).isEqualTo("127.0.8.1");
            assertThat(echo.clientIp("127.0.8.1", null)).isEqualTo("127.0.8.1");
        }
        try (Echo echo = new Echo("127\\.0\\.8\\.\\d+")) {
            // the scheme, host and port the client used, from the same trusted hop as its address
            var seen = LoopbackClient.post("127.0.8.1", echo.port, "/", "{}", "X-Forwarded-For", "198.51.100.7",
                    "X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.com").json();
            assertThat(seen.get("ip").asText()).isEqualTo("198.51.100.7");
            assertThat(seen.get("scheme").asText()).isEqualTo("https");
            assertThat(seen.get("secure").asBoolean()).isTrue();
            assertThat(seen.get("host").asText()).isEqualTo("api.example.com");
            assertThat(seen.get("port").asInt()).isEqualTo(443);
            var chained = LoopbackClient.post("127.0.8.1", echo.port, "/", "{}", "X-Forwarded-For",
                    "198.51.100.7, 127.0.8.2", "X-Forwarded-Proto", "https, http", "X-Forwarded-Port", "8443, 80").json();
            assertThat(chained.get("scheme").asText()).isEqualTo("https");
            assertThat(chained.get("port").asInt()).isEqualTo(8443);
            // from an untrusted peer none of it counts
            var untrusted = LoopbackClient.post("127.0.9.1", echo.port, "/", "{}", "X-Forwarded-Proto", "https",
                    "X-Forwarded-Host", "evil.example.com").json();
            assertThat(untrusted.get("scheme").asText()).isEqualTo("http");
            assertThat(untrusted.get("secure").asBoolean()).isFalse();
            assertThat(untrusted.get("host").asText()).isNotEqualTo("evil.example.com");
        }
        try (Echo echo = new Echo("")) {
            assertThat(echo.clientIp("127.0.8.1", "198.51.100.7")).isEqualTo("127.0.8.1");
        }
    }

    /** A Jetty server answering with the client IP it sees. */
    private static final class Echo implements AutoCloseable {
        private final Server server = new Server();
        private final int port;

        Echo(String trusted) throws Exception {
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration()
                    .addCustomizer(new TrustedProxies(trusted));
            server.addConnector(connector);
            server.setHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    String seen = "{\"ip\":\"" + Request.getRemoteAddr(request) + "\",\"scheme\":\""
                            + request.getHttpURI().getScheme() + "\",\"secure\":" + request.isSecure()
                            + ",\"host\":\"" + Request.getServerName(request) + "\",\"port\":"
                            + Request.getServerPort(request) + "}";
                    response.write(true, ByteBuffer.wrap(seen.getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
            });
            server.start();
            port = connector.getLocalPort();
        }

        String clientIp(String from, String forwardedFor) {
            LoopbackClient.Response response = forwardedFor == null
                    ? LoopbackClient.post(from, port, "/", "{}")
                    : LoopbackClient.post(from, port, "/", "{}", "X-Forwarded-For", forwardedFor);
            return response.json().get("ip").asText();
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }
    }
}
