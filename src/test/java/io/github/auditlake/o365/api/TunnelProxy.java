package io.github.auditlake.o365.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTPS proxy on loopback: it answers {@code CONNECT host:port} (with optional basic authentication: without
 * the expected {@code Proxy-Authorization} it answers 407 and closes) by opening a tunnel to one local port, whatever
 * host was asked for, so a test can reach a TLS origin by a name that never resolves. Records every request head it
 * receives; a request that is not CONNECT (plain http in absolute form) is recorded and answered 502.
 */
public final class TunnelProxy implements AutoCloseable {
    /** A request as the proxy received it. */
    public record Seen(String method, String target, String proxyAuthorization, int answeredStatus) {}

    private final ServerSocket server;
    private final int originPort;
    private final String expectedAuthorization;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /**
     * @param originPort            the loopback port every tunnel leads to
     * @param expectedAuthorization the {@code Proxy-Authorization} value required, or null for an open proxy
     */
    public TunnelProxy(int originPort, String expectedAuthorization) throws IOException {
        this.originPort = originPort;
        this.expectedAuthorization = expectedAuthorization;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "tunnel-proxy");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Seen> seen() {
        return seen;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> handle(s), "tunnel-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            List<String> head = readHead(in);
            if (head.isEmpty()) {
                client.close();
                return;
            }
            String[] line = head.get(0).split(" ");
            String auth = null;
            for (String h : head.subList(1, head.size())) {
                int colon = h.indexOf(':');
                if (colon > 0
                        && h.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("proxy-authorization")) {
                    auth = h.substring(colon + 1).trim();
                }
            }
            if (!line[0].equals("CONNECT")) {
                seen.add(new Seen(line[0], line.length > 1 ? line[1] : "", auth, 502));
                out.write("HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                client.close();
                return;
            }
            if (expectedAuthorization != null && !expectedAuthorization.equals(auth)) {
                seen.add(new Seen("CONNECT", line[1], auth, 407));
                out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\n"
                                + "Connection: close\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                client.close();
                return;
            }
            seen.add(new Seen("CONNECT", line[1], auth, 200));
            Socket origin = new Socket();
            sockets.add(origin);
            origin.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), originPort));
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread up = new Thread(() -> pipe(client, origin), "tunnel-up");
            up.setDaemon(true);
            up.start();
            pipe(origin, client);
        } catch (IOException e) {
            // the client or origin went away
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String l = line.toString(StandardCharsets.US_ASCII).replaceAll("\r$", "");
                if (l.isEmpty()) {
                    return lines;
                }
                lines.add(l);
                line.reset();
            } else {
                line.write(c);
            }
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
