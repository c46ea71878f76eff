import { Button, Group, Image, Stack, Text } from "@mantine/core";
import { type KeyboardEvent, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type ReactZoomPanPinchContentRef, TransformComponent, TransformWrapper } from "react-zoom-pan-pinch";

/** 100 % is the whole diagram fitted into the frame; zooming out further would only add empty space. */
const MIN_SCALE = 1;
const MAX_SCALE = 8;
/** The steps of the buttons and keys, like a browser's zoom; wheel and pinch zoom freely in between. */
const ZOOM_STEPS = [1, 1.25, 1.5, 2, 3, 4, 6, 8];
/** Pixels an arrow key moves the diagram. */
const PAN_STEP = 60;
/** Two scales this close count as the same step (wheel and pinch leave odd values). */
const EPSILON = 0.005;

type Command = { kind: "zoom"; direction: 1 | -1 } | { kind: "reset" } | { kind: "pan"; dx: number; dy: number };

/** What a key pressed on the focused viewport does; null for keys it leaves to the browser. */
function commandForKey(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): Command | null {
  // Ctrl/Cmd + and - zoom the whole page; those stay the browser's.
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  switch (event.key) {
    case "+":
    case "=":
      return { kind: "zoom", direction: 1 };
    case "-":
    case "_":
      return { kind: "zoom", direction: -1 };
    case "0":
      return { kind: "reset" };
    // An arrow moves the view, like scrolling: "left" brings the left part into sight.
    case "ArrowLeft":
      return { kind: "pan", dx: PAN_STEP, dy: 0 };
    case "ArrowRight":
      return { kind: "pan", dx: -PAN_STEP, dy: 0 };
    case "ArrowUp":
      return { kind: "pan", dx: 0, dy: PAN_STEP };
    case "ArrowDown":
      return { kind: "pan", dx: 0, dy: -PAN_STEP };
    default:
      return null;
  }
}

/** The next zoom step above (direction 1) or below (-1) the current scale, within the limits. */
function nextStep(scale: number, direction: 1 | -1): number {
  if (direction === 1) return ZOOM_STEPS.find((step) => step > scale + EPSILON) ?? MAX_SCALE;
  return [...ZOOM_STEPS].reverse().find((step) => step < scale - EPSILON) ?? MIN_SCALE;
}

/**
 * A diagram in a frame that can be zoomed (wheel, pinch, buttons, + and - keys) and moved
 * (drag, arrow keys). The picture stays an <img> (`src` is a data: URL of server SVG), so its
 * markup never becomes part of the page.
 */
export function DiagramViewer({ src, alt }: { src: string; alt: string }) {
  const { t, i18n } = useTranslation();
  const controls = useRef<ReactZoomPanPinchContentRef>(null);
  const [scale, setScale] = useState(MIN_SCALE);
  const hintId = useId();
  const percent = new Intl.NumberFormat(i18n.language, { style: "percent", maximumFractionDigits: 0 }).format(scale);
  const atMin = scale <= MIN_SCALE + EPSILON;
  const atMax = scale >= MAX_SCALE - EPSILON;

  /** Runs a command; false when there was nothing to do (then a key keeps its usual effect). */
  const run = (command: Command): boolean => {
    const current = controls.current;
    if (!current) return false;
    const now = current.instance.state.scale;
    // Changes are instant (no animation), so the announced percentage is the final one.
    switch (command.kind) {
      case "zoom": {
        const target = nextStep(now, command.direction);
        if (Math.abs(target - now) < EPSILON) return false;
        if (target > now) void current.zoomIn(target - now, 0);
        else void current.zoomOut(now - target, 0);
        return true;
      }
      case "reset":
        void current.resetTransform(0);
        return true;
      case "pan":
        // At 100 % there is nothing to move to: let the arrow keys scroll the page.
        if (now <= MIN_SCALE + EPSILON) return false;
        void current.panBy(command.dx, command.dy, 0);
        return true;
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const command = commandForKey(event);
    if (command && run(command)) event.preventDefault();
  };
  // aria-disabled (not disabled) keeps a button focused when it reaches its limit.
  const button = (label: string, command: Command, unavailable: boolean) => (
    <Button
      variant="default"
      size="xs"
      aria-disabled={unavailable}
      data-disabled={unavailable || undefined}
      onClick={(event) => {
        event.preventDefault();
        if (!unavailable) run(command);
      }}
    >
      {label}
    </Button>
  );

  return (
    <Stack gap="xs">
      <Group gap="xs" justify="space-between">
        <Group gap="xs">
          {button(t("air.zoom.zoomIn"), { kind: "zoom", direction: 1 }, atMax)}
          {button(t("air.zoom.zoomOut"), { kind: "zoom", direction: -1 }, atMin)}
          {button(t("air.zoom.reset"), { kind: "reset" }, false)}
        </Group>
        <Text size="sm" aria-live="polite" aria-atomic="true">
          {t("air.zoom.level", { percent })}
        </Text>
      </Group>
      <TransformWrapper
        ref={controls}
        minScale={MIN_SCALE}
        maxScale={MAX_SCALE}
        limitToBounds
        doubleClick={{ disabled: true }}
        // At 100 % there is nothing to drag: a finger on the diagram then scrolls the page.
        panning={{ disabled: atMin }}
        onTransform={(_ref, state) => setScale(state.scale)}
      >
        <TransformComponent
          wrapperClass="mantine-focus-auto"
          wrapperStyle={{
            width: "100%",
            height: "60vh",
            minHeight: 240,
            border: "1px solid var(--mantine-color-default-border)",
            borderRadius: "var(--mantine-radius-sm)",
            background: "var(--mantine-color-body)",
            cursor: atMin ? "default" : "grab",
            touchAction: atMin ? "pan-x pan-y" : "none",
          }}
          wrapperProps={{
            tabIndex: 0,
            role: "region",
            "aria-label": t("air.zoom.region"),
            "aria-describedby": hintId,
            onKeyDown,
          }}
          contentStyle={{ width: "100%", height: "100%" }}
        >
          <Image src={src} alt={alt} fit="contain" w="100%" h="100%" draggable={false} />
        </TransformComponent>
      </TransformWrapper>
      <Text id={hintId} size="xs" c="dimmed">
        {t("air.zoom.hint")}
      </Text>
    </Stack>
  );
}
