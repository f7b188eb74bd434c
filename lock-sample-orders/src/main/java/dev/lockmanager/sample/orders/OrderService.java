package dev.lockmanager.sample.orders;

import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockContext;

/**
 * Places orders. The lock wraps the transaction (the lock advice is ordered outside {@code @Transactional}), so the
 * lease is released only after the commit. The stock is a fenced read-modify-write: the row is claimed with the
 * lease's fencing token <em>before</em> it is read, so a holder whose lease ran out while it was paused can neither
 * write over a newer holder's stock nor make a newer holder read stock it is about to change.
 */
@Service
public class OrderService {

	private final Inventory inventory;

	private final Orders orders;

	public OrderService(Inventory inventory, Orders orders) {
		this.inventory = inventory;
		this.orders = orders;
	}

	@DistributedLock(name = "inventory", key = "#request.itemName", ttl = "10s", waitTime = "5s")
	@Transactional
	public PlacedOrder place(OrderRequest request) {
		String item = request.itemName();
		int quantity = request.quantity();
		Optional<Lease> lease = LockContext.current();
		long token = lease.map(Lease::fencingToken).orElse(0L);
		if (lease.isPresent() && !this.inventory.claim(item, token)) {
			throw this.inventory.find(item).isPresent() ? new StaleLeaseException(item, token)
					: new UnknownItemException(item);
		}
		Inventory.Stock stock = this.inventory.find(item).orElseThrow(() -> new UnknownItemException(item));
		if (stock.quantity() < quantity) {
			throw new InsufficientStockException(item, quantity, stock.quantity());
		}
		int remaining = stock.quantity() - quantity;
		if (lease.isPresent()) {
			if (!this.inventory.update(item, remaining, token)) {
				throw new StaleLeaseException(item, token);
			}
		}
		else {
			this.inventory.overwrite(item, remaining);
		}
		long orderId = this.orders.insert(item, quantity, token);
		return new PlacedOrder(orderId, item, quantity, remaining, token);
	}

}
