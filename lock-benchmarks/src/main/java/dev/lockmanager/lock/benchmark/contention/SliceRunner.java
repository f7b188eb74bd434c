package dev.lockmanager.lock.benchmark.contention;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.lockmanager.lock.benchmark.contention.HotKeyLock.Held;

/**
 * Runs one slice: threads that acquire the hot key, hold it for the critical section, release it, and go again,
 * until a deadline. Used both in the benchmark's JVM (threads of several instances) and in each child process (the
 * threads of its one instance). The threads are this class's own: started here, and joined before it returns.
 */
final class SliceRunner {

	/** Long enough that only starvation makes a waiter give up. */
	static final Duration WAIT_TIME = Duration.ofSeconds(60);

	/** How long after the deadline the threads may still be finishing before the run is declared hung. */
	private static final long JOIN_GRACE_NANOS = 2 * WAIT_TIME.toNanos() + Duration.ofSeconds(30).toNanos();

	private final AtomicInteger holders = new AtomicInteger();

	private final AtomicLong timeouts = new AtomicLong();

	private final AtomicLong holderOverlaps = new AtomicLong();

	private final AtomicReference<Throwable> failure = new AtomicReference<>();

	private final long sectionNanos;

	private final long from;

	private final long to;

	private SliceRunner(long sectionNanos, long from, long to) {
		this.sectionNanos = sectionNanos;
		this.from = from;
		this.to = to;
	}

	/**
	 * Runs one thread per element of {@code locks} from now until {@code to} (nanoTime); what happens before
	 * {@code from} is warm-up and is not recorded. A thread that is waiting at {@code to} finishes its acquisition.
	 * @param locks the lock of each thread: the threads of one instance share its lock
	 * @param instances the instance of each thread
	 * @param sectionNanos how long each holder busy-spins while holding the key
	 */
	static SliceLog run(HotKeyLock[] locks, int[] instances, long sectionNanos, long from, long to)
			throws InterruptedException {
		return new SliceRunner(sectionNanos, from, to).run(locks, instances);
	}

	private SliceLog run(HotKeyLock[] locks, int[] instances) throws InterruptedException {
		List<List<Acquisition>> recorded = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < locks.length; t++) {
			List<Acquisition> acquisitions = new ArrayList<>(1 << 14);
			recorded.add(acquisitions);
			HotKeyLock lock = locks[t];
			int instance = instances[t];
			Thread thread = new Thread(() -> {
				try {
					loop(lock, instance, acquisitions);
				}
				catch (Throwable ex) {
					this.failure.compareAndSet(null, ex);
				}
			}, "contention-" + instance + "-" + t);
			// A hung library must not keep the JVM alive after the run is abandoned.
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		long joinDeadline = this.to + JOIN_GRACE_NANOS;
		for (Thread thread : threads) {
			thread.join(Math.max(1, (joinDeadline - System.nanoTime()) / 1_000_000));
			if (thread.isAlive()) {
				throw new IllegalStateException(thread.getName() + " was still acquiring or releasing "
						+ Duration.ofNanos(JOIN_GRACE_NANOS).toSeconds() + "s after the slice's end");
			}
		}
		if (this.failure.get() != null) {
			throw new IllegalStateException("A contention thread failed", this.failure.get());
		}
		List<Acquisition> all = new ArrayList<>();
		recorded.forEach(all::addAll);
		return new SliceLog(this.from, this.to, all, this.timeouts.get(), this.holderOverlaps.get());
	}

	private void loop(HotKeyLock lock, int instance, List<Acquisition> acquisitions) throws InterruptedException {
		while (System.nanoTime() - this.to < 0) {
			long acquireStart = System.nanoTime();
			Optional<Held> acquired = lock.acquire(WAIT_TIME);
			long acquireEnd = System.nanoTime();
			if (acquired.isEmpty()) {
				if (acquireStart - this.from >= 0) {
					this.timeouts.incrementAndGet();
				}
				continue;
			}
			Held held = acquired.get();
			// The in-process exclusivity check: across instances too, when they share this JVM.
			if (this.holders.incrementAndGet() != 1) {
				this.holderOverlaps.incrementAndGet();
			}
			long token = held.fencingToken();
			busySpin(this.sectionNanos);
			this.holders.decrementAndGet();
			long releaseStart = System.nanoTime();
			held.release();
			long releaseEnd = System.nanoTime();
			if (acquireEnd - this.from >= 0) {
				acquisitions.add(new Acquisition(instance, acquireStart, acquireEnd, releaseStart, releaseEnd, token));
			}
		}
	}

	/** Work that keeps a core busy, as a real critical section does; sleeping would hand the core to the waiters. */
	private static void busySpin(long nanos) {
		long end = System.nanoTime() + nanos;
		while (System.nanoTime() - end < 0) {
			Thread.onSpinWait();
		}
	}

}
