/**
 * Phase 4 (api_layer) for a FastAPI route: the field on the request model, on a separate response
 * model, and through the route to the service call. Kept apart from the MCP tool steps so that each
 * presentation style has its own list.
 */
import type { RouteAnchor } from '../analysis/anchor-map';
import { addPydanticField } from '../codemods/add-pydantic-field';
import { addRouteArgument } from '../codemods/add-route-argument';
import type { Step } from './phase-codemods';

export function routeSteps(
  route: RouteAnchor,
  field: Record<string, unknown>,
  serviceMethod: string,
  enumModules: Record<string, string>,
): Step[] {
  const steps: Step[] = [];
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
      ...(route.modelBuild ? { modelConstructor: route.modelBuild.className } : {}),
    },
  });
  return steps;
}
