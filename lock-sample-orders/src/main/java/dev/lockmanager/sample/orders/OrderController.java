package dev.lockmanager.sample.orders;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The order API: place orders, read stock, list orders (so a load test can check that the books balance).
 */
@RestController
public class OrderController {

	private final OrderService orderService;

	private final Inventory inventory;

	private final Orders orders;

	public OrderController(OrderService orderService, Inventory inventory, Orders orders) {
		this.orderService = orderService;
		this.inventory = inventory;
		this.orders = orders;
	}

	/**
	 * Places an order. {@code produces}: a client that does not accept JSON is refused (406) before the order is
	 * placed, not after.
	 */
	@PostMapping(path = "/order", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	public ResponseEntity<PlacedOrder> place(@Valid @RequestBody OrderRequest request) {
		PlacedOrder order = this.orderService.place(request);
		return ResponseEntity.created(URI.create("/orders/" + order.orderId())).body(order);
	}

	@GetMapping("/inventory")
	public List<Inventory.Stock> inventory() {
		return this.inventory.findAll();
	}

	@GetMapping("/inventory/{itemName}")
	public Inventory.Stock stock(@PathVariable String itemName) {
		return this.inventory.find(itemName).orElseThrow(() -> new UnknownItemException(itemName));
	}

	@GetMapping("/orders")
	public OrderPage orders(@RequestParam(name = "item", required = false) String itemName,
			@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int size) {
		return new OrderPage(this.orders.page(itemName, page, size), page, size, this.orders.totals(itemName));
	}

	@GetMapping("/orders/{id}")
	public Orders.Order order(@PathVariable long id) {
		return this.orders.find(id).orElseThrow(() -> new UnknownOrderException(id));
	}

	/**
	 * One page of orders, with the totals over all pages.
	 *
	 * @param orders the orders of this page, oldest first
	 * @param page the page number, from 0
	 * @param size the page size
	 * @param totals the number of orders and the units ordered, over all pages
	 */
	public record OrderPage(List<Orders.Order> orders, int page, int size, Orders.Totals totals) {
	}

}
