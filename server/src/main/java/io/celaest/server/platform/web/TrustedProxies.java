package io.celaest.server.platform.web;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.HostPort;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client IP of every request (API and license validation alike): the connection's peer, unless that peer is
 * one of the trusted proxies ({@code CELAEST_TRUSTED_PROXIES}, a regular expression of addresses), in which case
 * {@code X-Forwarded-For} is read from the right, skipping trusted proxies, and the first other address is the
 * client's. A Jetty request customizer, so the servlet API and the core handlers see the same address. Jetty's own
 * {@code ForwardedRequestCustomizer} believes the header from anyone, which would let any caller choose its IP.
 * Addresses are reported as Tomcat did before: a forwarded one as the proxy wrote it, a connection's IPv6 address
 * in Java's form without brackets.
 */
public final class TrustedProxies implements HttpConfiguration.Customizer {

    private final Pattern trusted;

    /** @param trusted a regular expression of trusted proxy addresses; blank trusts none */
    public TrustedProxies(String trusted) {
        this.trusted = trusted == null || trusted.isBlank() ? null : Pattern.compile(trusted);
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (!(remote instanceof InetSocketAddress connection) || connection.getAddress() == null) {
            return request;
        }
        InetAddress peer = connection.getAddress();
        if (trusted != null && isTrusted(peer.getHostAddress())) {
            // every X-Forwarded-For line, in order: a proxy may add a line of its own instead of appending
            String[] hops = values(request, HttpHeader.X_FORWARDED_FOR);
            int client = clientIndex(hops);
            if (client >= 0 && literal(hops[client]) != null) {
                return forwarded(request, hops[client], connection.getPort(), hops.length, client);
            }
        }
        return peer instanceof Inet4Address ? request
                : forwarded(request, peer.getHostAddress(), connection.getPort(), 0, -1);
    }

    /**
     * The request as the client sent it to the first proxy: from that address (an unresolved socket address, so
     * that Jetty reports it as written: an IPv6 one without brackets, as in the audit trail and the bindings) and,
     * when the proxies say so, with the scheme, host and port it used ({@code X-Forwarded-Proto/-Host/-Port}, the
     * value of the same hop as the client's address, or the only one), as Tomcat's remote IP valve did.
     */
    private static Request forwarded(Request request, String client, int port, int hops, int clientHop) {
        SocketAddress remote = InetSocketAddress.createUnresolved(client, port);
        String proto = clientHop < 0 ? null : valueOf(values(request, HttpHeader.X_FORWARDED_PROTO), hops, clientHop);
        String host = clientHop < 0 ? null : valueOf(values(request, HttpHeader.X_FORWARDED_HOST), hops, clientHop);
        String forwardedPort = clientHop < 0 ? null
                : valueOf(values(request, HttpHeader.X_FORWARDED_PORT), hops, clientHop);
        HttpURI uri = request.getHttpURI();
        boolean secure = request.isSecure();
        if (proto != null || host != null || forwardedPort != null) {
            HttpURI.Mutable changed = HttpURI.build(uri);
            if (proto != null && (proto.equalsIgnoreCase("http") || proto.equalsIgnoreCase("https"))) {
                changed.scheme(proto.toLowerCase(java.util.Locale.ROOT));
                secure = proto.equalsIgnoreCase("https");
                changed.port(-1);                              // the scheme's own port unless told otherwise
            }
            if (host != null) {
                try {
                    HostPort authority = new HostPort(host);
                    changed.host(authority.getHost()).port(authority.getPort(-1));
                } catch (IllegalArgumentException ignored) {
                    // not a host: keep the request's own
                }
            }
            if (forwardedPort != null && forwardedPort.matches("\\d{1,5}")) {
                changed.port(Integer.parseInt(forwardedPort));
            }
            uri = changed.asImmutable();
        }
        HttpURI clientUri = uri;
        boolean clientSecure = secure;
        ConnectionMetaData connection = new ConnectionMetaData.Wrapper(request.getConnectionMetaData()) {
            @Override
            public SocketAddress getRemoteSocketAddress() {
                return remote;
            }

            @Override
            public boolean isSecure() {
                return clientSecure;
            }
        };
        return new Request.Wrapper(request) {
            @Override
            public ConnectionMetaData getConnectionMetaData() {
                return connection;
            }

            @Override
            public HttpURI getHttpURI() {
                return clientUri;
            }

            @Override
            public boolean isSecure() {
                return clientSecure;
            }
        };
    }

    /** Every value of a header, over all its lines, in order. */
    private static String[] values(Request request, HttpHeader header) {
        List<String> lines = request.getHeaders().getValuesList(header);
        if (lines.isEmpty()) {
            return new String[0];
        }
        String[] values = String.join(",", lines).split(",");
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i].trim();
        }
        return values;
    }

    /** The value given for the client's hop: the only one, or the one at the same place as the client's address. */
    private static String valueOf(String[] values, int hops, int clientHop) {
        String value = values.length == 1 ? values[0] : values.length == hops ? values[clientHop] : null;
        return value == null || value.isEmpty() ? null : value;
    }

    boolean isTrusted(String address) {
        return trusted != null && address != null && trusted.matcher(address).matches();
    }

    /** Where in the hops the client is: the right-most address that is not a trusted proxy, the left-most when all are. */
    int clientIndex(String[] hops) {
        for (int i = hops.length - 1; i >= 0; i--) {
            if (!isTrusted(hops[i]) || i == 0) {
                return hops[i].isEmpty() ? -1 : i;
            }
        }
        return -1;
    }

    /** The address when the text is an IP literal; null otherwise (never a DNS lookup for a header's value). */
    static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        boolean v4 = !text.isEmpty() && text.length() <= 15;
        boolean v6 = text.indexOf(':') >= 0 && text.length() <= 45;
        for (int i = 0; i < text.length() && (v4 || v6); i++) {
            char c = text.charAt(i);
            v4 &= (c >= '0' && c <= '9') || c == '.';
            v6 &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        }
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(v6 && !text.startsWith("[") ? "[" + text + "]" : text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
