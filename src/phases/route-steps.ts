/**
 * Phase 4 (api_layer) for a FastAPI route: the field on the request model, on a separate response
 * model, and through the route to the service call. Kept apart from the MCP tool steps so that each
 * presentation style has its own list.
 */
import type { RouteAnchor } from '../analysis/anchor-map';
import type { Codemod } from '../codemods/codemod';
import { addPydanticField } from '../codemods/add-pydantic-field';
import { addRouteArgument } from '../codemods/add-route-argument';

export interface RouteStep {
  file: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  codemod: Codemod<any>;
  params: Record<string, unknown>;
}

export function routeSteps(
  route: RouteAnchor,
  field: Record<string, unknown>,
  serviceMethod: string,
  enumModules: Record<string, string>,
): RouteStep[] {
  const steps: RouteStep[] = [];
  if (route.request)
    steps.push({
      file: route.request.file,
      codemod: addPydanticField,
      params: { ...field, model: route.request.className, enumModules },
    });
  if (route.response && route.response.className !== route.request?.className)
    steps.push({
      file: route.response.file,
      codemod: addPydanticField,
      params: { ...field, model: route.response.className, enumModules },
    });
  steps.push({
    file: route.file,
    codemod: addRouteArgument,
    params: {
      ...field,
      route: route.function,
      serviceMethod,
      ...(route.request ? { bodyVar: route.request.variable } : {}),
      ...(route.response ? { responseModel: route.response.className } : {}),
    },
  });
  return steps;
}
