function Get-OfflineSeedEventValue {
    <#
    .SYNOPSIS
    Reads an optional property of a parsed engine event, safely under Set-StrictMode.

    .DESCRIPTION
    Returns the value of property Name of InputObject, or Default when the property is missing or null.
    Callers that expect an array wrap the call in @().
    #>
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory)]
        [AllowNull()]
        [object] $InputObject,

        [Parameter(Mandatory)]
        [string] $Name,

        [Parameter()]
        [AllowNull()]
        [object] $Default = $null
    )

    if ($null -eq $InputObject) { return $Default }
    $property = $InputObject.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) { return $Default }
    return $property.Value
}
