package dev.lockmanager.lock.chaos;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on a loopback port in front of one Redis server, through which one client connects, so that the test
 * can cut that client's connections or delay them without touching the others.
 * <p>
 * Each direction of each connection has a reader and a writer thread joined by a bounded queue: a chunk read at
 * {@code t} is written at {@code t + delay}, in order. {@link #cut()} closes every connection (the client sees a
 * reset) and closes new ones at once until {@link #heal()}.
 */
final class FaultProxy implements AutoCloseable {

	private static final int CHUNKS_IN_FLIGHT = 1024;

	private final ServerSocket server;

	private final int targetPort;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final Thread acceptor;

	private volatile boolean cut;

	private volatile long delayNanos;

	private FaultProxy(ServerSocket server, int targetPort) {
		this.server = server;
		this.targetPort = targetPort;
		this.acceptor = new Thread(this::accept, "fault-proxy-" + server.getLocalPort());
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	/**
	 * Starts a proxy on a free loopback port.
	 * @param targetPort the loopback port it forwards to
	 */
	static FaultProxy to(int targetPort) {
		try {
			return new FaultProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not open a proxy port", ex);
		}
	}

	int port() {
		return this.server.getLocalPort();
	}

	/** Closes every connection, and every new one until {@link #heal()}. */
	void cut() {
		this.cut = true;
		this.sockets.forEach(FaultProxy::closeQuietly);
	}

	/** Delays every chunk, both ways, by {@code delay} from now until {@link #heal()}. */
	void delay(Duration delay) {
		this.delayNanos = delay.toNanos();
	}

	/** Forwards at once again, and accepts connections. */
	void heal() {
		this.delayNanos = 0;
		this.cut = false;
	}

	@Override
	public void close() {
		closeQuietly(this.server);
		this.sockets.forEach(FaultProxy::closeQuietly);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				return; // closed
			}
			if (this.cut) {
				closeQuietly(client);
				continue;
			}
			try {
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				this.sockets.add(client);
				this.sockets.add(upstream);
				forward(client, upstream);
				forward(upstream, client);
			}
			catch (IOException ex) {
				closeQuietly(client); // the server is down: so is the connection through the proxy
			}
		}
	}

	private void forward(Socket from, Socket to) throws IOException {
		InputStream in = from.getInputStream();
		OutputStream out = to.getOutputStream();
		BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT);
		start("read", () -> {
			byte[] buffer = new byte[16 * 1024];
			try {
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					chunks.put(new Chunk(System.nanoTime() + this.delayNanos, Arrays.copyOf(buffer, n)));
				}
			}
			catch (IOException | InterruptedException ex) {
				// closed
			}
			finally {
				// When the queue is full the writer meets the closed socket instead of the end marker
				if (!chunks.offer(Chunk.END)) {
					closeQuietly(to);
				}
			}
		});
		start("write", () -> {
			try {
				for (Chunk chunk = chunks.take(); chunk != Chunk.END; chunk = chunks.take()) {
					long wait = chunk.due() - System.nanoTime();
					if (wait > 0) {
						TimeUnit.NANOSECONDS.sleep(wait);
					}
					out.write(chunk.bytes());
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// closed
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				this.sockets.remove(from);
				this.sockets.remove(to);
			}
		});
	}

	private void start(String role, Runnable pump) {
		Thread thread = new Thread(pump, "fault-proxy-" + port() + "-" + role);
		thread.setDaemon(true);
		thread.start();
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	private record Chunk(long due, byte[] bytes) {

		static final Chunk END = new Chunk(0, new byte[0]);

	}

}
